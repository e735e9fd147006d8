/** Inputs of the Origin decision for a WebSocket upgrade. */
export interface OriginCheck {
  /** The request's Origin header; undefined when absent. */
  origin: string | undefined;
  /** `[channels_config.web] allowed_origins`. */
  allowedOrigins: readonly string[];
  /** The gateway's own origins, derived from its configured listen address (never from Host). */
  selfOrigins: readonly string[];
}

/**
 * Whether a WebSocket upgrade may proceed given its Origin (RFC 6455 §10.2, cross-site WebSocket
 * hijacking). No Origin means a non-browser client, which authenticates like any API client.
 * `null` (sandboxed frames, file: pages) and wildcards never match: only exact origins do.
 */
export function checkOrigin(check: OriginCheck): boolean {
  if (check.origin === undefined) return true;
  const origin = normalizeOrigin(check.origin);
  if (origin === undefined) return false;
  return [...check.allowedOrigins, ...check.selfOrigins].some(
    (allowed) => normalizeOrigin(allowed) === origin,
  );
}

/** The serialized origin (scheme://host[:port], default port dropped), or undefined if not one. */
export function normalizeOrigin(value: string): string | undefined {
  if (value === 'null' || value.includes('*')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL at all (garbage header): never matches anything.
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // An Origin header is exactly scheme://host[:port]; a path, query or userinfo means a mangled value.
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return undefined;
  }
  if (url.pathname !== '/' || /^[a-z]+:\/\/[^/]+\/./i.test(value)) return undefined;
  return url.origin;
}

/**
 * The gateway's own origins for its configured host and port; `localhost` and the loopback
 * address are equivalent names for a loopback bind.
 */
export function selfOriginsFor(host: string, port: number): string[] {
  const hosts = new Set([host]);
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    hosts.add('127.0.0.1');
    hosts.add('localhost');
    hosts.add('[::1]');
  }
  return [...hosts].map((name) => {
    const literal = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
    return `http://${literal}:${port}`;
  });
}
