import { redactSecrets } from '../observability/index.js';
import { DeliveryError } from './types.js';

/** Longest a single platform API call may take before it counts as a retryable failure. */
export const DEFAULT_API_TIMEOUT_MS = 15_000;

export interface PostJsonOptions {
  fetch: typeof fetch;
  url: string;
  headers?: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
  timeoutMs?: number;
  /** Values that must never appear in an error message (tokens, including ones inside the URL). */
  secrets: ReadonlyArray<string>;
}

/** A platform API answer: status, headers and the JSON body (undefined when it was not JSON). */
export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * POSTs JSON to a platform API. Network failures and timeouts become retryable DeliveryErrors
 * whose message is redacted; the original error is not attached as `cause` because fetch errors
 * can carry the request URL, and Telegram puts the bot token in the URL.
 */
export async function postJson(options: PostJsonOptions): Promise<JsonResponse> {
  const signal = AbortSignal.any([
    options.signal,
    AbortSignal.timeout(options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS),
  ]);
  let response: Response;
  try {
    response = await options.fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal,
    });
  } catch (error) {
    throw new DeliveryError(
      redactSecrets(`platform API request failed: ${describe(error)}`, options.secrets),
      { retryable: true },
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new DeliveryError(
      redactSecrets(`platform API response was cut off: ${describe(error)}`, options.secrets),
      { retryable: true, status: response.status },
    );
  }
  return { status: response.status, headers: response.headers, body: parseMaybeJson(text) };
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Proxies and load balancers answer errors with HTML; callers judge by status then.
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Whether a platform API (Graph API, Slack Web API, Telegram Bot API) status is worth retrying:
 * rate limited, timed out or a server-side failure. Unlike isRetryableLlmStatus in
 * providers/http-call.ts, 409 is final here: Telegram answers 409 when a webhook and getUpdates
 * conflict, which no retry of the same call resolves.
 */
export function isRetryablePlatformStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}
