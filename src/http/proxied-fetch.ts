import type * as UndiciModule from 'undici';
import { redactSecrets } from '../observability/index.js';
import { decodeUserinfo, proxyRouteFor } from './outbound-proxy.js';

type Undici = typeof UndiciModule;

/** undici, loaded by the first proxied call; one tunnelling agent per proxy URL. */
let undici: Promise<Undici> | undefined;
const dispatchers = new Map<string, InstanceType<Undici['ProxyAgent']>>();

function loadUndici(): Promise<Undici> {
  if (undici === undefined) {
    const loading = import('undici');
    // A failed load is not kept: the next call tries again.
    loading.catch(() => (undici = undefined));
    undici = loading;
  }
  return undici;
}

/**
 * `fetch` that takes the route the proxy variables give (outbound-proxy.ts), for the calls a
 * gateway makes to platform APIs and its own public URL. Direct calls use Node's fetch; proxied
 * ones undici's, through a CONNECT tunnel to the proxy (TLS end to end; credentials in the proxy
 * URL sent as Proxy-Authorization). Failures look like Node's fetch's: an abort or timeout as
 * such, anything else a TypeError whose cause keeps the error code; no message shows the proxy's
 * credentials.
 */
export const proxiedFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const route = proxyRouteFor(new URL(url));
  if (route.kind === 'direct') return fetch(input, init);
  if (route.kind === 'invalid') throw new TypeError(`fetch failed: ${route.reason}`);
  // Node's Request is not undici's: its method, headers and body would be lost on the way.
  if (input instanceof Request) throw new TypeError('fetch through a proxy takes a URL and init');
  const undiciModule = await loadUndici();
  const { fetch: fetchThroughProxy, ProxyAgent } = undiciModule;
  let dispatcher = dispatchers.get(route.proxy.href);
  if (dispatcher === undefined) {
    dispatcher = new ProxyAgent(proxyAgentOptions(undiciModule, route.proxy));
    dispatchers.set(route.proxy.href, dispatcher);
  }
  try {
    const response = await fetchThroughProxy(url, {
      ...(init as object),
      dispatcher,
    } as Parameters<Undici['fetch']>[1]);
    // undici's Response has the same shape as Node's own (Node's fetch is undici).
    return response as unknown as Response;
  } catch (error) {
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
      throw error;
    }
    const code = errorCode(error);
    throw new TypeError(
      `fetch failed: ${redactSecrets(describe(error), route.credentials)}`,
      code === undefined ? undefined : { cause: Object.assign(new Error(code), { code }) },
    );
  }
};

/**
 * How long the proxy may take to answer CONNECT. The socket to it is closed then: a caller's
 * abort or timeout does not reach that socket, which would otherwise stay open for undici's
 * default of 300 s.
 */
export const PROXY_ANSWER_TIMEOUT_MS = 30_000;

/** Options of a ProxyAgent: the proxy without credentials, and those as a ready header. */
export interface ProxyAgentOptions {
  uri: string;
  token?: string;
  clientFactory: (origin: URL, options: object) => InstanceType<Undici['Pool']>;
}

/**
 * The ProxyAgent's options for `proxy`. undici sends credentials from the URL only when both
 * parts are there, where a token-only proxy URL (`http://token@proxy`) is common, so they go as
 * a ready Proxy-Authorization value.
 */
export function proxyAgentOptions(
  { Pool }: Pick<Undici, 'Pool'>,
  proxy: URL,
  answerTimeoutMs = PROXY_ANSWER_TIMEOUT_MS,
): ProxyAgentOptions {
  const clientFactory = (origin: URL, options: object): InstanceType<Undici['Pool']> =>
    new Pool(origin, { ...options, headersTimeout: answerTimeoutMs });
  if (proxy.username === '' && proxy.password === '') return { uri: proxy.href, clientFactory };
  const bare = new URL(proxy.href);
  bare.username = '';
  bare.password = '';
  const pair = `${decodeUserinfo(proxy.username)}:${decodeUserinfo(proxy.password)}`;
  return {
    uri: bare.href,
    token: `Basic ${Buffer.from(pair).toString('base64')}`,
    clientFactory,
  };
}

/** The messages along an error's cause chain ("Proxy response (407) …" sits two causes deep). */
function describe(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message !== 'fetch failed' && !messages.includes(message)) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ');
}

/** The first `code` (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT…) along the cause chain. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}
