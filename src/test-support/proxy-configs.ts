import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Test variants of the shipped deployment files in docs/deploy/. Every edit is an exact
 * replacement that must match the expected number of times, so the variant differs from the
 * shipped file only in what a loopback test cannot use (TLS, port 443, the public name, the
 * upstream port, system paths) and a change to the shipped file that breaks a replacement fails
 * the test instead of silently testing something else. Every other directive runs as shipped.
 */

const DEPLOY_DIR = new URL('../../docs/deploy/', import.meta.url).pathname;

/** The shipped deployment file `name` in docs/deploy/. */
export function readShippedFile(name: string): string {
  return readFileSync(join(DEPLOY_DIR, name), 'utf8');
}

/** Replaces `search` (a string or a global regex) and throws unless it matched `count` times. */
export function replaceExactly(
  text: string,
  search: string | RegExp,
  replacement: string,
  count = 1,
): string {
  const pattern =
    typeof search === 'string'
      ? new RegExp(search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')
      : search;
  if (!pattern.global) throw new Error(`pattern ${pattern} must be global`);
  const found = text.match(pattern)?.length ?? 0;
  if (found !== count) {
    throw new Error(
      `expected ${count} match(es) of ${String(search)} in the shipped file, found ${found}`,
    );
  }
  return text.replace(pattern, () => replacement);
}

/** Where the test proxy listens and where the gateway it fronts listens. */
export interface ProxyPorts {
  /** The proxy's plain-HTTP port on 127.0.0.1. */
  listenPort: number;
  /** The gateway's port on 127.0.0.1. */
  upstreamPort: number;
}

const SHIPPED_UPSTREAM = '127.0.0.1:3000';
const SHIPPED_NAME = 'agent.example.com';

/**
 * The nginx site (docs/deploy/nginx.conf) for a loopback test: the TLS server listens on plain
 * HTTP at `listenPort`, the certificate and HSTS lines go, the port-80 redirect server goes, and
 * the upstream points at the gateway.
 */
export function renderNginxSite(shipped: string, ports: ProxyPorts): string {
  let site = replaceExactly(shipped, /^server \{\n {4}listen 80;\n[\s\S]*?^\}\n/gm, '');
  site = replaceExactly(
    site,
    '    listen 443 ssl;\n    listen [::]:443 ssl;\n',
    `    listen 127.0.0.1:${ports.listenPort};\n`,
  );
  site = replaceExactly(site, /^ {4}ssl_\w+ .*;\n/gm, '', 4);
  site = replaceExactly(site, /^ {4}add_header Strict-Transport-Security .*;\n/gm, '');
  return replaceExactly(
    site,
    `server ${SHIPPED_UPSTREAM};`,
    `server 127.0.0.1:${ports.upstreamPort};`,
  );
}

/** A certificate and key for a syntax check of the shipped TLS server. */
export interface TlsFiles {
  certificate: string;
  key: string;
}

/**
 * The nginx site as shipped, TLS server and redirect included, for `nginx -t`: only the
 * certificate paths (Let's Encrypt's, which a test machine lacks) point at `tls` instead.
 */
export function renderNginxTlsSite(shipped: string, tls: TlsFiles): string {
  const live = `/etc/letsencrypt/live/${SHIPPED_NAME}`;
  const site = replaceExactly(shipped, `${live}/fullchain.pem;`, `${tls.certificate};`);
  return replaceExactly(site, `${live}/privkey.pem;`, `${tls.key};`);
}

/** Lines of an nginx file that are directives, not comments or blank. */
export function nginxDirectiveLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * The user nginx's workers run as: as root, nginx switches them to its compiled-in user, so name
 * one that exists on Debian; otherwise none (they stay the current user).
 */
export function nginxWorkerUser(): string | undefined {
  return process.getuid?.() === 0 ? 'nobody nogroup' : undefined;
}

/** The main nginx.conf around the site: foreground, every path inside `dir`, no system files. */
export function renderNginxMain(dir: string, sitePath: string, user: string | undefined): string {
  return [
    ...(user === undefined ? [] : [`user ${user};`]),
    'daemon off;',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 512; }',
    'http {',
    `    access_log ${dir}/access.log;`,
    `    client_body_temp_path ${dir}/client_body;`,
    `    proxy_temp_path ${dir}/proxy;`,
    `    fastcgi_temp_path ${dir}/fastcgi;`,
    `    uwsgi_temp_path ${dir}/uwsgi;`,
    `    scgi_temp_path ${dir}/scgi;`,
    `    include ${sitePath};`,
    '}',
    '',
  ].join('\n');
}

/**
 * The Caddyfile (docs/deploy/Caddyfile) for a loopback test: global options that keep Caddy off
 * its admin port, TLS automation and the user's data directories; the site address becomes
 * plain HTTP on 127.0.0.1 at `listenPort`; the upstream points at the gateway.
 */
export function renderCaddyfile(shipped: string, ports: ProxyPorts, dataDir: string): string {
  const site = `http://127.0.0.1:${ports.listenPort}`;
  let file = replaceExactly(shipped, `\n${SHIPPED_NAME} {\n`, `\n${site} {\n\tbind 127.0.0.1\n`);
  file = replaceExactly(
    file,
    `reverse_proxy ${SHIPPED_UPSTREAM} {`,
    `reverse_proxy 127.0.0.1:${ports.upstreamPort} {`,
  );
  const globals = [
    '{',
    '\tadmin off',
    '\tauto_https off',
    `\tstorage file_system ${dataDir}`,
    '}',
    '',
  ].join('\n');
  return globals + file;
}
