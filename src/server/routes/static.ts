import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { STATIC_PAGE_CSP, setPageCsp } from '../../http/security-headers.js';
import type { RouteRegistrar } from '../types.js';

/**
 * The chat page's policy (security-headers.ts): its own origin only, no inline script or style,
 * never framed (clickjacking), no <base> rewriting and no form posts, so an injected string has
 * no way to run or to exfiltrate the token.
 */
export const WEB_CHAT_CSP = STATIC_PAGE_CSP;

/** One servable file: the URL path, its file name inside the web root, and its content type. */
export interface WebAsset {
  readonly path: string;
  readonly file: string;
  readonly contentType: string;
}

/**
 * The allowlist. Only these names are ever served, so no request path can reach any other file
 * (path traversal is impossible by construction, not by sanitizing).
 */
export const WEB_ASSETS: readonly WebAsset[] = [
  { path: '/', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { path: '/app.js', file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  { path: '/api.js', file: 'api.js', contentType: 'text/javascript; charset=utf-8' },
  { path: '/connection.js', file: 'connection.js', contentType: 'text/javascript; charset=utf-8' },
  { path: '/transcript.js', file: 'transcript.js', contentType: 'text/javascript; charset=utf-8' },
  {
    path: '/conversation.js',
    file: 'conversation.js',
    contentType: 'text/javascript; charset=utf-8',
  },
  { path: '/markdown.js', file: 'markdown.js', contentType: 'text/javascript; charset=utf-8' },
  {
    path: '/markdown-inline.js',
    file: 'markdown-inline.js',
    contentType: 'text/javascript; charset=utf-8',
  },
  { path: '/style.css', file: 'style.css', contentType: 'text/css; charset=utf-8' },
  { path: '/favicon.svg', file: 'favicon.svg', contentType: 'image/svg+xml' },
];

/** `web/` of the installed package, whether running from src/, dist/ or the start-up bundle. */
export const DEFAULT_WEB_ROOT = join(packageRoot(), 'web');

export interface StaticRoutesOptions {
  /** Directory holding the files of WEB_ASSETS. */
  webRoot?: string;
}

interface LoadedAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** Read synchronously: a few small files at start-up cost less than thread-pool round trips. */
function loadAsset(webRoot: string, asset: WebAsset): LoadedAsset {
  const location = join(webRoot, asset.file);
  let body: Buffer;
  try {
    body = readFileSync(location);
  } catch (error) {
    throw new Error(`web chat asset missing: ${location} (is the web/ folder installed?)`, {
      cause: error,
    });
  }
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 22);
  return { body, contentType: asset.contentType, etag: `"${digest}"` };
}

/**
 * Serves the browser chat from `web/`: every allowlisted file is read once at start and kept in
 * memory, so a request never touches the file system.
 */
export function staticRoutes(options: StaticRoutesOptions = {}): RouteRegistrar {
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  return async function registerStaticRoutes(app) {
    const loaded = WEB_ASSETS.map((asset) => loadAsset(webRoot, asset));
    WEB_ASSETS.forEach((asset, index) => {
      const file = loaded[index];
      if (file === undefined) throw new Error(`web chat asset not loaded: ${asset.file}`);
      // The app-wide onRequest hook set the strict API CSP; this page replaces it with its own.
      app.get(asset.path, async function serveWebAsset(request, reply) {
        setPageCsp(reply, WEB_CHAT_CSP)
          .header('content-type', file.contentType)
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('etag', file.etag);
        if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
        return reply.send(file.body);
      });
    });
  };
}
