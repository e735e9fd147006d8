import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import type * as TlsModule from 'node:tls';
import type { HttpsProxyAgent as HttpsProxyAgentClass } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Where an outbound call to `target` goes: straight to it, or through the proxy that the standard
 * variables name for it. `HTTPS_PROXY` serves `https:` targets, `HTTP_PROXY` `http:` ones,
 * `ALL_PROXY` both; each in upper or lower case. `NO_PROXY` exempts hosts: an exact name or
 * address, a `.suffix` or `*.suffix` for a domain's hosts, an optional `:port`, or `*` for all.
 */
export type ProxyRoute =
  | { kind: 'direct' }
  | { kind: 'proxy'; proxy: URL; credentials: string[] }
  | { kind: 'invalid'; reason: string };

/**
 * Decides the route of one call from the environment (read on every call: no restart needed).
 * A proxy given without a scheme (`proxy.corp:3128`) is an `http://` one, as curl and most HTTP
 * clients read it.
 */
export function proxyRouteFor(target: URL): ProxyRoute {
  // The library applies NO_PROXY; the value is read here, where a missing scheme means http.
  if (getProxyForUrl(target) === '') return { kind: 'direct' };
  const value = configuredValue(target);
  let proxy: URL;
  try {
    proxy = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    // The value may carry a password: it is never repeated in a message.
    return { kind: 'invalid', reason: `the proxy set for ${target.protocol} URLs is not a URL` };
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    return {
      kind: 'invalid',
      reason: `${proxy.protocol.replace(/:$/, '')} proxies are not supported; use an http:// or https:// proxy`,
    };
  }
  return { kind: 'proxy', proxy, credentials: userinfoSecrets(proxy) };
}

/** The proxy variable's value as set for `target`'s scheme, before any scheme is added to it. */
function configuredValue(target: URL): string {
  const scheme = target.protocol.replace(/:$/, '');
  return environment(`${scheme}_proxy`) || environment('all_proxy');
}

/** The variable in lower case, else in upper case, as the route decision reads it. */
function environment(name: string): string {
  return process.env[name.toLowerCase()] || process.env[name.toUpperCase()] || '';
}

/** The user name and password of a URL (raw and decoded), which no message may show. */
export function userinfoSecrets(url: URL): string[] {
  const parts = [url.username, url.password].filter((part) => part !== '');
  return parts.flatMap((part) => [part, decodeUserinfo(part)]);
}

/** A URL's user name or password as written; a malformed escape is kept as it is. */
export function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** One keep-alive agent per proxy and target scheme, made on first use. */
const agents = new Map<string, Promise<Agent>>();

/** node:tls, for the name check through the tunnel; loaded with the first proxied https call. */
let tls: Promise<typeof TlsModule> | undefined;

/**
 * The request option that hands a call's stop signal to the tunnel agent: aborting it closes the
 * socket to the proxy while the proxy has not yet answered CONNECT. Without it that socket would
 * stay open until the proxy answered or closed it, one more for every call that timed out.
 */
export const TUNNEL_STOP_SIGNAL = 'gatehouseTunnelStop';

/** What a request to `target` through `proxy` adds to its options. */
export interface ProxiedRequestOptions {
  agent: Agent;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/**
 * The agent that reaches `target` through `proxy`: a CONNECT tunnel for `https:` targets (TLS end
 * to end, the proxy sees only host and port), the absolute-form request for `http:` ones, as
 * proxies expect for each. The proxy libraries are loaded by the first proxied call.
 *
 * Through the tunnel the provider's certificate is checked against the target's own name. The
 * tunnel agent hands TLS no host for an IP address target (no SNI there), and TLS would then
 * check the certificate against "localhost".
 */
export async function proxiedRequestOptions(
  proxy: URL,
  target: URL,
): Promise<ProxiedRequestOptions> {
  const key = `${target.protocol} ${proxy.href}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent =
      target.protocol === 'https:'
        ? import('https-proxy-agent').then(({ HttpsProxyAgent }) =>
            tunnelAgent(HttpsProxyAgent, proxy),
          )
        : import('http-proxy-agent').then(
            ({ HttpProxyAgent }) => new HttpProxyAgent(proxy, { keepAlive: true }),
          );
    // A failed load is not kept: the next call tries again.
    agent.catch(() => agents.delete(key));
    agents.set(key, agent);
  }
  if (target.protocol !== 'https:') return { agent: await agent };
  tls ??= import('node:tls');
  const { checkServerIdentity } = await tls;
  const name = target.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    agent: await agent,
    checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
  };
}

type TunnelConnectOptions = Parameters<HttpsProxyAgentClass<string>['connect']>[1] & {
  [TUNNEL_STOP_SIGNAL]?: AbortSignal;
};

/**
 * The CONNECT tunnel agent, with the socket to the proxy tied to the stop signal of the call that
 * opens it (TUNNEL_STOP_SIGNAL) until the proxy has answered. The agent makes that socket from its
 * connection options before it first waits, so a signal put there reaches exactly that socket.
 * The socket keeps that signal for life, so it gets one of its own, which the call's stop
 * reaches only until CONNECT is answered: from then on the socket is the request's (closed with
 * it) and, back in the keep-alive pool, another call's.
 */
function tunnelAgent(
  HttpsProxyAgent: typeof HttpsProxyAgentClass,
  proxy: URL,
): HttpsProxyAgentClass<string> {
  return new (class StoppableTunnelAgent extends HttpsProxyAgent<string> {
    override connect(request: ClientRequest, options: TunnelConnectOptions): Promise<Socket> {
      const stop = options[TUNNEL_STOP_SIGNAL];
      if (stop === undefined) return super.connect(request, options);
      if (stop.aborted) return Promise.reject(stop.reason as Error);
      const socketStop = new AbortController();
      const forward = (): void => socketStop.abort();
      stop.addEventListener('abort', forward, { once: true });
      this.connectOpts.signal = socketStop.signal;
      let connecting: Promise<Socket>;
      try {
        connecting = super.connect(request, options);
      } finally {
        delete this.connectOpts.signal;
      }
      const unlink = (): void => stop.removeEventListener('abort', forward);
      connecting.then(unlink, unlink);
      return connecting;
    }
  })(proxy, { keepAlive: true });
}
