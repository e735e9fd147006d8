import type * as UndiciModule from 'undici';
import { redactSecrets } from '../observability/index.js';
import { proxyRouteFor } from './outbound-proxy.js';

type Undici = typeof UndiciModule;

/** undici, loaded by the first proxied call; one tunnelling agent per proxy URL. */
let undici: Promise<Undici> | undefined;
const dispatchers = new Map<string, InstanceType<Undici['ProxyAgent']>>();

/**
 * `fetch` that takes the route the proxy variables give (outbound-proxy.ts), for the calls a
 * gateway makes to platform APIs and its own public URL. Direct calls use Node's fetch; proxied
 * ones undici's, through a CONNECT tunnel to the proxy (TLS end to end; credentials in the proxy
 * URL sent as Proxy-Authorization). An error never shows those credentials: a proxy failure is
 * reported by its message alone.
 */
export const proxiedFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const route = proxyRouteFor(new URL(url));
  if (route.kind === 'direct') return fetch(input, init);
  if (route.kind === 'invalid') throw new TypeError(`fetch failed: ${route.reason}`);
  // Node's Request is not undici's: its method, headers and body would be lost on the way.
  if (input instanceof Request) throw new TypeError('fetch through a proxy takes a URL and init');
  undici ??= import('undici');
  const { fetch: fetchThroughProxy, ProxyAgent } = await undici;
  let dispatcher = dispatchers.get(route.proxy.href);
  if (dispatcher === undefined) {
    dispatcher = new ProxyAgent(route.proxy.href);
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
    throw new TypeError(`fetch failed: ${redactSecrets(describe(error), route.credentials)}`);
  }
};

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
