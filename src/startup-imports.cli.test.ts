import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, useBuiltCli } from './test-support/gatehouse-process.js';
import { createTestRedis, TEST_REDIS_URL, type TestRedis } from './test-support/redis-server.js';

/*
 * The server drivers are loaded only when configured: an embedded gateway that loaded the Redis
 * client or the PostgreSQL driver would pay for them in start-up time and memory. The unbundled
 * dist/ is run under a resolve hook that records every module the gateway imports; the bundle,
 * which leaves both drivers in node_modules, under a preload that records every require().
 */

const DRIVERS = /\/node_modules\/(redis|@redis\/[^/]+|pg|pg-[^/]+)\//;
const ENTRY = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

let hookDir: string;
let redis: TestRedis;
const { tempHome } = useBuiltCli();

beforeAll(async () => {
  redis = await createTestRedis();
  hookDir = mkdtempSync(join(tmpdir(), 'gatehouse-imports-'));
  writeFileSync(
    join(hookDir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.IMPORT_LOG, result.url + '\\n');
  return result;
}
`,
  );
  writeFileSync(
    join(hookDir, 'record-requires.cjs'),
    `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    appendFileSync(process.env.IMPORT_LOG, Module._resolveFilename(request, parent, isMain) + '\\n');
  } catch {}
  return load.apply(this, arguments);
};
`,
  );
  writeFileSync(
    join(hookDir, 'record-builtins.cjs'),
    `process.once('exit', () => {
  require('node:fs').appendFileSync(process.env.IMPORT_LOG, process.moduleLoadList.join('\\n'));
});
`,
  );
  writeFileSync(
    join(hookDir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(hookDir, 'hooks.mjs')).href)});\n`,
  );
});

afterAll(async () => {
  await redis?.close();
  rmSync(hookDir, { recursive: true, force: true });
});

const BUNDLE_ENTRY = join(import.meta.dirname, '..', 'dist', 'gatehouse.cjs');

/**
 * Starts the gateway (`entry`, with the node flags `nodeArgs` that install a recording hook) with
 * `toml`, stops it, and returns what the hook wrote to IMPORT_LOG, a line each.
 */
async function recordedStart(
  toml: string,
  nodeArgs: readonly string[],
  entry: string,
): Promise<string[]> {
  const home = tempHome(`[gateway]\nport = 0\n\n[observability]\nlog_level = "warn"\n${toml}`);
  const log = join(home.dir, 'recorded.log');
  writeFileSync(log, '');
  const gateway = await startCli(
    ['--config', home.configPath],
    { ...home.env, IMPORT_LOG: log },
    { nodeArgs, entry },
  );
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** Every module URL the unbundled dist/ resolves. */
const importsOf = (toml: string) =>
  recordedStart(toml, ['--import', join(hookDir, 'register.mjs')], ENTRY);

/**
 * What the bundle (a CommonJS script, which leaves the drivers in node_modules and loads them
 * with require()) loads, as recorded by `preload`: every file require() loads, by default.
 */
const requiresOf = (toml: string, preload = 'record-requires.cjs') =>
  recordedStart(toml, ['--require', join(hookDir, preload)], BUNDLE_ENTRY);

describe('modules loaded by start-up', () => {
  it('an embedded gateway loads neither the Redis client nor the PostgreSQL driver', async () => {
    const urls = await importsOf('');
    // The hook saw the gateway's own modules, so an empty match below means something.
    expect(urls.some((url) => url.includes('/node_modules/fastify/'))).toBe(true);
    expect(urls.filter((url) => DRIVERS.test(url))).toEqual([]);
  });

  it('a gateway with Redis state and a Redis inbox loads the Redis client', async () => {
    const prefix = redis.uniquePrefix();
    const urls = await importsOf(
      `\n[state]\nbackend = "redis"\nurl = "${TEST_REDIS_URL}"\nkey_prefix = "${prefix}"\n\n[inbox]\nbackend = "redis"\n`,
    );
    await redis.deleteKeys(prefix);
    expect(urls.some((url) => /\/node_modules\/(redis|@redis\/client)\//.test(url))).toBe(true);
  });

  it('the bundle holds neither driver (no SASL mechanism of pg, no error class of node-redis)', () => {
    const bundle = readFileSync(join(import.meta.dirname, '..', 'dist', 'bundle.cjs'), 'utf8');
    expect(bundle).not.toContain('SCRAM-SHA-256');
    expect(bundle).not.toContain('ClientClosedError');
  });

  it('an embedded gateway run from the bundle requires neither driver; a Redis one does', async () => {
    const embedded = await requiresOf('');
    // The preload saw the native SQLite addon, so an empty match below means something.
    expect(embedded.some((file) => file.includes('/node_modules/better-sqlite3/'))).toBe(true);
    expect(embedded.filter((file) => DRIVERS.test(file))).toEqual([]);

    const prefix = redis.uniquePrefix();
    const clustered = await requiresOf(
      `\n[state]\nbackend = "redis"\nurl = "${TEST_REDIS_URL}"\nkey_prefix = "${prefix}"\n`,
    );
    await redis.deleteKeys(prefix);
    expect(clustered.some((file) => /\/node_modules\/@redis\/client\//.test(file))).toBe(true);
  });

  it('an embedded gateway run from the bundle loads no TLS, HTTP/2, compression or readline module', async () => {
    const builtins = await requiresOf('', 'record-builtins.cjs');
    // The list names Node's own modules as loaded, so an empty match below means something.
    expect(builtins).toContain('NativeModule http');
    expect(
      builtins.filter((entry) => /^NativeModule (https|tls|http2|zlib|readline)$/.test(entry)),
    ).toEqual([]);
  });

  it('the gatehouse command is CommonJS: Node runs it without its ES module machinery', async () => {
    const builtins = await requiresOf('', 'record-builtins.cjs');
    expect(builtins).toContain('NativeModule vm');
    // What an ES module as the entry point loads (an import of node:module loads the loader alone).
    expect(
      builtins.filter((entry) =>
        /^NativeModule internal\/modules\/esm\/(module_job|translators)$/.test(entry),
      ),
    ).toEqual([]);
  });
});
