import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../../test-support/app-harness.js';
import type { TestApp } from '../../test-support/app-harness.js';
import { API_CSP, SECURITY_HEADERS } from '../../http/security-headers.js';
import { DEFAULT_WEB_ROOT, WEB_ASSETS, WEB_CHAT_CSP, staticRoutes } from './static.js';

const apps: TestApp[] = [];
const bareApps: FastifyInstance[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
  await Promise.all(bareApps.splice(0).map((app) => app.close()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The real app (security headers, 404 handler) with the static routes registered. */
async function buildApp(webRoot?: string): Promise<FastifyInstance> {
  const t = await startTestApp({
    routes: [staticRoutes(webRoot === undefined ? {} : { webRoot })],
  });
  apps.push(t);
  return t.app;
}

function copyWebRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-web-'));
  tempDirs.push(dir);
  cpSync(DEFAULT_WEB_ROOT, dir, { recursive: true });
  return dir;
}

describe('staticRoutes', () => {
  it('serves / as the chat page with the page CSP, no-cache and nosniff', async () => {
    const app = await buildApp();
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(WEB_CHAT_CSP);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (name !== 'content-security-policy') expect(response.headers[name]).toBe(value);
    }
    expect(response.body).toBe(readFileSync(join(DEFAULT_WEB_ROOT, 'index.html'), 'utf8'));
  });

  it.each(WEB_ASSETS.map((asset) => [asset.path, asset.file, asset.contentType]))(
    'serves %s from web/%s as %s',
    async (path, file, contentType) => {
      const app = await buildApp();
      const response = await app.inject({ method: 'GET', url: path });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      expect(response.headers['content-security-policy']).toBe(WEB_CHAT_CSP);
      expect(response.rawPayload.equals(readFileSync(join(DEFAULT_WEB_ROOT, file)))).toBe(true);
    },
  );

  it('allows only its own origin and forbids inline code, framing, base and form targets', () => {
    const directives = new Map(
      WEB_CHAT_CSP.split(';').map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(WEB_CHAT_CSP).not.toMatch(/unsafe|\*|https?:/);
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/package.json',
    '/index.html',
    '/web/app.js',
    '/APP.JS',
    '/app.js/',
    '/app.js.map',
    '/.env',
  ])('answers 404 for %s, which is not on the allowlist', async (url) => {
    const app = await buildApp();
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-security-policy']).toBe(API_CSP);
    expect(response.body).not.toContain('"name": "gatehouse"');
  });

  it('answers 304 when If-None-Match carries the current ETag', async () => {
    const app = await buildApp();
    const first = await app.inject({ method: 'GET', url: '/app.js' });
    const etag = first.headers.etag;
    expect(typeof etag).toBe('string');
    const second = await app.inject({
      method: 'GET',
      url: '/app.js',
      headers: { 'if-none-match': String(etag) },
    });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
    const stale = await app.inject({
      method: 'GET',
      url: '/app.js',
      headers: { 'if-none-match': '"stale"' },
    });
    expect(stale.statusCode).toBe(200);
  });

  it('reads the files once at start, so later edits on disk are not served', async () => {
    const webRoot = copyWebRoot();
    const app = await buildApp(webRoot);
    writeFileSync(join(webRoot, 'style.css'), 'body { color: red }');
    const response = await app.inject({ method: 'GET', url: '/style.css' });
    expect(response.body).toBe(readFileSync(join(DEFAULT_WEB_ROOT, 'style.css'), 'utf8'));
  });

  it('fails at start with the missing path when an allowlisted file is absent', async () => {
    const webRoot = copyWebRoot();
    rmSync(join(webRoot, 'app.js'));
    const app = Fastify();
    bareApps.push(app);
    await expect(staticRoutes({ webRoot })(app)).rejects.toThrow(
      /web chat asset missing: .*app\.js/,
    );
  });

  it('lists every module the page imports, so nothing it loads can 404', () => {
    const served = new Set(WEB_ASSETS.map((asset) => asset.file));
    for (const asset of WEB_ASSETS.filter((a) => a.file.endsWith('.js'))) {
      const source = readFileSync(join(DEFAULT_WEB_ROOT, asset.file), 'utf8');
      for (const match of source.matchAll(/from '\.\/([\w-]+\.js)'/g)) {
        expect(served).toContain(match[1]);
      }
    }
    const html = readFileSync(join(DEFAULT_WEB_ROOT, 'index.html'), 'utf8');
    for (const match of html.matchAll(/(?:src|href)="\/([\w.-]+)"/g)) {
      expect(served).toContain(match[1]);
    }
  });

  it('ships a page without inline scripts, inline styles or HTML sinks for server text', () => {
    const html = readFileSync(join(DEFAULT_WEB_ROOT, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const asset of WEB_ASSETS.filter((a) => a.file.endsWith('.js'))) {
      const source = readFileSync(join(DEFAULT_WEB_ROOT, asset.file), 'utf8');
      expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
      expect(source).not.toMatch(/localStorage/);
    }
  });
});
