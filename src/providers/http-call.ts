import { describeErrorBody, formatHttpError } from './error-body.js';
import { sanitizeProviderError } from './sanitize.js';
import { ProviderError } from './types.js';

/** Error bodies are read up to this size; anything longer is cut (it is truncated later anyway). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** A non-streaming reply larger than this is refused instead of being buffered. */
const MAX_REPLY_BODY_BYTES = 8 * 1024 * 1024;

/** What one upstream POST needs. */
export interface HttpCallOptions {
  /** Provider name used in error messages, e.g. "openai" or "openrouter". */
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  /** The caller's signal; aborting it closes the upstream connection. */
  signal: AbortSignal;
  /** Values removed verbatim from every error message (the configured api key). */
  secrets: readonly string[];
}

/** A successful (2xx) upstream response whose body is still to be read. */
export interface HttpCall {
  readonly response: Response;
  /** Caller signal + timeout + release combined; held here so it stays alive as long as the call. */
  readonly signal: AbortSignal;
  /** Reads the whole body (bounded), then releases the connection. */
  text(): Promise<string>;
  /** Maps anything thrown while reading the body to a sanitized ProviderError. */
  fail(error: unknown): ProviderError;
  /** Throws the aborted or timed-out ProviderError once the call was stopped. */
  throwIfStopped(): void;
  /** Closes the upstream connection if it is still open; safe to call more than once. */
  release(): void;
}

/**
 * POSTs JSON with the caller's signal and the provider timeout combined, so either one closes the
 * upstream connection. Non-2xx answers become a ProviderError built from the vendor error body.
 */
export async function postJson(options: HttpCallOptions): Promise<HttpCall> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  // undici refuses a URL with userinfo and quotes the whole URL in its error; a base_url such as
  // https://user:pass@host must not put that password into a log line.
  const secrets = [...options.secrets, ...urlCredentials(options.url)];
  // Lets the stream consumer close the connection early (break out of for-await) without abort.
  const releaser = new AbortController();
  const combined = AbortSignal.any([options.signal, timeout, releaser.signal]);

  const stoppedError = (): ProviderError | undefined => {
    if (options.signal.aborted) {
      return new ProviderError(`${options.provider} request aborted`, { aborted: true });
    }
    if (timeout.aborted) {
      return new ProviderError(
        `${options.provider} request timed out after ${options.timeoutMs} ms`,
        { retryable: true },
      );
    }
    return undefined;
  };
  const fail = (error: unknown): ProviderError => {
    if (error instanceof ProviderError) return error;
    const stopped = stoppedError();
    if (stopped) return stopped;
    const message = `${options.provider} request failed: ${describeNetworkError(error)}`;
    // The raw error is deliberately not attached as `cause`: undici puts header values (the key)
    // into some of its messages, and loggers serialize causes.
    return new ProviderError(sanitizeProviderError(message, secrets), { retryable: true });
  };
  const release = (): void => releaser.abort();

  const early = stoppedError();
  if (early) throw early;

  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: options.headers,
      body: JSON.stringify(options.body),
      signal: combined,
      // A redirect would replay the key header to wherever the Location points (undici strips
      // Authorization across origins, but not x-api-key); LLM APIs never need one.
      redirect: 'error',
    });
  } catch (error) {
    release();
    throw fail(error);
  }

  if (!response.ok) {
    let text: string;
    try {
      text = await readBoundedText(response, MAX_ERROR_BODY_BYTES);
    } catch (error) {
      release();
      throw fail(error);
    }
    release();
    const message = formatHttpError(options.provider, response.status, describeErrorBody(text));
    throw new ProviderError(sanitizeProviderError(message, secrets), {
      status: response.status,
      retryable: isRetryableLlmStatus(response.status),
    });
  }

  return {
    response,
    signal: combined,
    async text() {
      try {
        const text = await readBoundedText(response, MAX_REPLY_BODY_BYTES + 1);
        if (Buffer.byteLength(text) > MAX_REPLY_BODY_BYTES) {
          throw new ProviderError(
            `${options.provider} reply exceeds ${MAX_REPLY_BODY_BYTES} bytes`,
          );
        }
        return text;
      } catch (error) {
        throw fail(error);
      } finally {
        release();
      }
    },
    fail,
    throwIfStopped() {
      const stopped = stoppedError();
      if (stopped) throw stopped;
    },
    release,
  };
}

/**
 * Whether an LLM API answer may pass on a later attempt: 408, 409, 429 and every 5xx (incl.
 * Anthropic 529 overloaded). 409 is here on purpose: Anthropic and OpenAI answer a transient
 * conflict with it and their own SDKs retry it. Platform APIs decide differently, see
 * isRetryablePlatformStatus in channels/post-json.ts: there 409 means a lasting conflict.
 */
export function isRetryableLlmStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Reads at most `limit` bytes of a body as UTF-8 and drops the rest. */
async function readBoundedText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    text += decoder.decode(value, { stream: true });
    if (received >= limit) {
      await reader.cancel();
      break;
    }
  }
  return text + decoder.decode();
}

/** The user name and password in `url` (raw and decoded), which no error message may show. */
function urlCredentials(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // An unparseable URL has no userinfo we could find; fetch reports it without one either.
    return [];
  }
  const parts = [parsed.username, parsed.password].filter((part) => part !== '');
  return parts.flatMap((part) => [part, safeDecode(part)]);
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    // A malformed percent escape: the raw form is all that can appear in a message.
    return part;
  }
}

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:1" — the message plus its cause's. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
