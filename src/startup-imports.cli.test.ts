import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCliIfStale,
  killAllCli,
  makeTempHome,
  startCli,
  type TempHome,
} from './test-support/gatehouse-process.js';
import { createTestRedis, TEST_REDIS_URL, type TestRedis } from './test-support/redis-server.js';

/*
 * The server drivers are loaded only when configured: an embedded gateway that loaded the Redis
 * client or the PostgreSQL driver would pay for them in start-up time and memory. The unbundled
 * dist/ is run under a resolve hook that records every module the gateway imports; the bundle
 * hides package names, the compiled tree does not.
 */

const DRIVERS = /\/node_modules\/(redis|@redis\/[^/]+|pg|pg-[^/]+)\//;
const ENTRY = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

let hookDir: string;
let redis: TestRedis;
const homes: TempHome[] = [];

beforeAll(async () => {
  buildCliIfStale();
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
    join(hookDir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(hookDir, 'hooks.mjs')).href)});\n`,
  );
});

afterEach(async () => {
  await killAllCli();
  for (const home of homes.splice(0)) home.cleanup();
});

afterAll(async () => {
  await redis?.close();
  rmSync(hookDir, { recursive: true, force: true });
});

/** Starts the gateway (`entry`) with `toml`, stops it, and returns every module URL it resolved. */
async function importsOf(toml: string, entry = ENTRY): Promise<string[]> {
  const home = makeTempHome(`[gateway]\nport = 0\n\n[observability]\nlog_level = "warn"\n${toml}`);
  homes.push(home);
  const log = join(home.dir, 'imports.log');
  writeFileSync(log, '');
  const gateway = await startCli(
    ['--config', home.configPath],
    { ...home.env, IMPORT_LOG: log },
    { nodeArgs: ['--import', join(hookDir, 'register.mjs')], entry },
  );
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/**
 * In the bundle the packages have no names: the chunks holding them are found by a string only
 * they contain (pg's SASL mechanism, node-redis's error class).
 */
const BUNDLED_DRIVERS = ['SCRAM-SHA-256', 'ClientClosedError'];
const BUNDLE = join(import.meta.dirname, '..', 'dist', 'gatehouse.js');

function driverChunks(urls: readonly string[]): string[] {
  return urls
    .filter((url) => url.startsWith('file:') && url.includes('/dist/'))
    .filter((url) => {
      const text = readFileSync(new URL(url), 'utf8');
      return BUNDLED_DRIVERS.some((marker) => text.includes(marker));
    });
}

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

  it('the bundle an embedded gateway runs loads no chunk holding the Redis or PostgreSQL driver', async () => {
    const chunks = readdirSync(join(import.meta.dirname, '..', 'dist', 'chunks')).map(
      (name) => pathToFileURL(join(import.meta.dirname, '..', 'dist', 'chunks', name)).href,
    );
    // Both drivers are in the bundle, each found by its marker: the check below can fail.
    expect(driverChunks(chunks.filter((url) => url.endsWith('.js'))).length).toBeGreaterThanOrEqual(
      2,
    );
    const urls = await importsOf('', BUNDLE);
    expect(urls.some((url) => url.includes('/dist/chunks/'))).toBe(true);
    expect(driverChunks(urls)).toEqual([]);
  });
});
