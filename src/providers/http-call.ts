import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type * as HttpsModule from 'node:https';
import { describeErrorBody, formatHttpError } from './error-body.js';
import {
  proxiedRequestOptions,
  TUNNEL_STOP_SIGNAL,
  proxyRouteFor,
  userinfoSecrets,
  type ProxyRoute,
} from '../http/outbound-proxy.js';
import { sanitizeProviderError } from './sanitize.js';
import { ProviderError } from './types.js';
import type { CancelSignal } from '../core/cancel-signal.js';

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
  signal: CancelSignal;
  /** Values removed verbatim from every error message (the configured api key). */
  secrets: readonly string[];
}

/** A successful (2xx) upstream response whose body is still to be read. */
export interface HttpCall {
  readonly status: number;
  /** The body as it arrives; iterating it throws once the call is stopped or the connection fails. */
  readonly body: AsyncIterable<Buffer>;
  /** Reads the whole body (bounded), then releases the connection. */
  text(): Promise<string>;
  /** Maps anything thrown while reading the body to a sanitized ProviderError. */
  fail(error: unknown): ProviderError;
  /** Throws the aborted or timed-out ProviderError once the call was stopped. */
  throwIfStopped(): void;
  /** Closes the upstream connection if its answer is not complete; safe to call more than once. */
  release(): void;
}

/**
 * POSTs JSON over node:http(s), on Node's default keep-alive agents or, when HTTPS_PROXY,
 * HTTP_PROXY or ALL_PROXY name a proxy for the URL and NO_PROXY does not exempt it, through that
 * proxy (outbound-proxy.ts). No `accept-encoding` is sent, so answers come uncompressed. The
 * caller's signal and the provider timeout each close the upstream connection. Non-2xx answers (redirects
 * included: none is followed, so the key is never replayed elsewhere) become a ProviderError built
 * from the vendor error body. node:http rather than fetch: a call costs a third of the CPU.
 */
export async function postJson(options: HttpCallOptions): Promise<HttpCall> {
  // A base_url such as https://user:pass@host must not put that password into a log line.
  const url = parseUrl(options.url);
  const route: ProxyRoute = url instanceof URL ? proxyRouteFor(url) : { kind: 'direct' };
  const secrets = [
    ...options.secrets,
    ...(url instanceof URL ? userinfoSecrets(url) : []),
    ...(route.kind === 'proxy' ? route.credentials : []),
  ];
  let stopped: 'aborted' | 'timed out' | undefined;

  const stoppedError = (): ProviderError | undefined => {
    if (stopped === 'aborted' || options.signal.aborted) {
      return new ProviderError(`${options.provider} request aborted`, { aborted: true });
    }
    if (stopped === 'timed out') {
      return new ProviderError(
        `${options.provider} request timed out after ${options.timeoutMs} ms`,
        { retryable: true },
      );
    }
    return undefined;
  };
  const fail = (error: unknown): ProviderError => {
    if (error instanceof ProviderError) return error;
    const stoppedNow = stoppedError();
    if (stoppedNow) return stoppedNow;
    const message = `${options.provider} request failed: ${describeNetworkError(error)}`;
    // The raw error is deliberately not attached as `cause`: loggers serialize causes, and a
    // client error may carry the request's headers (the key).
    return new ProviderError(sanitizeProviderError(message, secrets), { retryable: true });
  };

  const early = stoppedError();
  if (early) throw early;
  // Closes the socket to a proxy that has not answered CONNECT when the call stops. https only:
  // for an http target the request gets its socket as soon as TCP connects, and closes it itself.
  const tunnelStop =
    route.kind === 'proxy' && url instanceof URL && url.protocol === 'https:'
      ? new AbortController()
      : undefined;
  const { request, tunnelRefusal } = await openRequest(
    url,
    route,
    options.headers,
    fail,
    tunnelStop?.signal,
  );
  let response: IncomingMessage | undefined;
  let interrupt: ((error: ProviderError) => void) | undefined;
  const stop = (why: 'aborted' | 'timed out'): void => {
    stopped ??= why;
    request.destroy();
    tunnelStop?.abort();
    // Before a socket is attached (a proxy that has not answered CONNECT yet) destroying the
    // request ends nothing by itself: the wait for the answer is ended here.
    const error = stoppedError();
    if (error) interrupt?.(error);
  };
  const timer = setTimeout(stop, options.timeoutMs, 'timed out');
  timer.unref();
  const onAbort = (): void => stop('aborted');
  options.signal.addEventListener('abort', onAbort, { once: true });
  // Aborted while the request was being opened (a proxy agent is loaded by its first call).
  if (options.signal.aborted) stop('aborted');
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    // A complete answer leaves the socket to the agent for the next call once what is left of it
    // is read (a stream's reader may stop at its last event); anything else closes the socket.
    if (response?.complete === true) drain(response);
    else request.destroy();
  };

  try {
    response = await new Promise<IncomingMessage>((resolve, reject) => {
      const stoppedAlready = stoppedError();
      if (stoppedAlready) {
        reject(stoppedAlready);
        return;
      }
      interrupt = reject;
      request.once('response', resolve);
      request.once('error', reject);
      request.end(JSON.stringify(options.body));
    });
  } catch (error) {
    release();
    throw fail(error);
  } finally {
    interrupt = undefined;
  }
  const refused = tunnelRefusal();
  if (refused !== undefined) {
    // What came back is the proxy's own answer, not the provider's (no TLS was ever set up).
    release();
    throw new ProviderError(
      `${options.provider} request failed: the proxy refused the tunnel (HTTP ${refused})`,
      { status: refused, retryable: isRetryableLlmStatus(refused) },
    );
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    let text: string;
    try {
      text = await readBoundedText(response, MAX_ERROR_BODY_BYTES);
    } catch (error) {
      release();
      throw fail(error);
    }
    release();
    const message = formatHttpError(options.provider, status, describeErrorBody(text));
    throw new ProviderError(sanitizeProviderError(message, secrets), {
      status,
      retryable: isRetryableLlmStatus(status),
    });
  }

  const body = response;
  return {
    status,
    body,
    async text() {
      try {
        const text = await readBoundedText(body, MAX_REPLY_BODY_BYTES + 1);
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
      const stoppedNow = stoppedError();
      if (stoppedNow) throw stoppedNow;
    },
    release,
  };
}

/** node:https (and the TLS stack with it) is loaded by the first call that needs it, not at start-up. */
let https: Promise<typeof HttpsModule> | undefined;
async function httpsRequest(): Promise<typeof HttpsModule.request> {
  https ??= import('node:https');
  return (await https).request;
}

/**
 * Reads what is left of a complete answer, so it ends and its socket goes back to the agent.
 * read() rather than resume(): an abandoned async iterator keeps a 'readable' listener, under
 * which resume() does nothing.
 */
function drain(response: IncomingMessage): void {
  while (response.read() !== null) {
    // Discarded: the caller stopped reading on purpose.
  }
  response.resume();
}

/** A started POST; `tunnelRefusal` is the status of a proxy that answered CONNECT with anything but 200. */
interface OpenedRequest {
  request: ClientRequest;
  tunnelRefusal(): number | undefined;
}

/** Starts the POST; an unusable URL (credentials in it, another scheme) fails before any I/O. */
async function openRequest(
  url: URL | Error,
  route: ProxyRoute,
  headers: Record<string, string>,
  fail: (error: unknown) => ProviderError,
  tunnelStop: AbortSignal | undefined,
): Promise<OpenedRequest> {
  if (url instanceof Error) throw fail(url);
  if (url.username !== '' || url.password !== '') {
    throw fail(new Error('the base_url carries a user name or password; give the key as api_key'));
  }
  if (route.kind === 'invalid') throw fail(new Error(route.reason));
  const send =
    url.protocol === 'https:'
      ? await httpsRequest()
      : url.protocol === 'http:'
        ? httpRequest
        : undefined;
  if (send === undefined) throw fail(new Error(`${url.protocol} URLs are not supported`));
  let proxied = {};
  try {
    if (route.kind === 'proxy') {
      proxied = {
        ...(await proxiedRequestOptions(route.proxy, url)),
        [TUNNEL_STOP_SIGNAL]: tunnelStop,
      };
    }
  } catch (error) {
    throw fail(error);
  }
  let request: ClientRequest;
  try {
    request = send(url, { method: 'POST', headers, ...proxied });
  } catch (error) {
    // node:http validates header names and values before any I/O.
    throw fail(error);
  }
  // Errors after the answer started surface through its body; this keeps them from crashing.
  request.on('error', () => undefined);
  // The tunnel agent plays a refusing proxy's answer back as the response, over a socket without
  // TLS: a 2xx from the proxy must never pass for the provider's.
  let refusal: number | undefined;
  if (route.kind === 'proxy' && url.protocol === 'https:') {
    request.once('proxyConnect', (answer: { statusCode?: number }) => {
      if (answer.statusCode !== 200) refusal = answer.statusCode ?? 0;
    });
  }
  return { request, tunnelRefusal: () => refusal };
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

/** Reads at most `limit` bytes of a body as UTF-8; the rest is not read (the caller releases). */
async function readBoundedText(body: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    received += chunk.byteLength;
    if (received >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** The URL, or why it is not one (reported when the call starts, after the abort check). */
function parseUrl(url: string): URL | Error {
  try {
    return new URL(url);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** "connect ECONNREFUSED 127.0.0.1:1" — the message, plus its cause's when it has one. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
