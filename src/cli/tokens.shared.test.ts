import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addSharedToken,
  listSharedTokens,
  TOKEN_REMOVED_CHANNEL,
} from '../auth/shared-paired-tokens.js';
import { createRedisStateEvents } from '../state/redis-events.js';
import { createRedisStateStore } from '../state/redis-store.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { createProgram, runProgram } from './program.js';
import { registerTokensCommand } from './tokens.js';

const HASH_A = `abcdef01${'1'.repeat(56)}`;
const HASH_B = `abcdef02${'2'.repeat(56)}`;

let redis: TestRedis;
let dir: string;
beforeAll(async () => {
  redis = await createTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-tokens-shared-'));
});
afterAll(async () => {
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(configPath: string, args: string[]): Promise<{ out: string[]; code: number }> {
  const out: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const program = createProgram();
    registerTokensCommand(program, { env: {}, out: (line) => out.push(line) });
    const code = await runProgram(program, [
      'node',
      'gatehouse',
      'tokens',
      ...args,
      '-c',
      configPath,
    ]);
    return { out, code: code ?? 0 };
  } finally {
    stderr.mockRestore();
  }
}

describe('gatehouse tokens with [state] backend = "redis"', () => {
  it('lists and revokes the shared set, announcing the removal, and leaves the file alone', async () => {
    const prefix = redis.uniquePrefix();
    const configPath = join(dir, 'config.toml');
    const fileText = `[state]\nbackend = "redis"\nurl = "${redis.url}"\nkey_prefix = "${prefix}"\n\n[gateway]\npaired_tokens = ["${HASH_B}"]\n`;
    writeFileSync(configPath, fileText);
    const client = await redis.connect();
    const store = createRedisStateStore({ client, keyPrefix: prefix, ownsClient: false });
    await addSharedToken(store, HASH_A, 'pair');
    const events = await createRedisStateEvents({ client, keyPrefix: prefix });
    const announced: string[] = [];
    await events.subscribe(TOKEN_REMOVED_CHANNEL, (hash) => announced.push(hash));

    const listed = await run(configPath, ['list']);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toBe(
      `${HASH_A.slice(0, 12)}  (no name)  paired: unknown  last used: unknown`,
    );
    expect(listed.out.at(-1)).toContain('1 paired token(s) in the shared state');

    const revoked = await run(configPath, ['revoke', 'abcdef01']);
    expect(revoked.code).toBe(0);
    expect(await listSharedTokens(store)).toEqual([]);
    await vi.waitFor(() => expect(announced).toEqual([HASH_A]));
    expect(readFileSync(configPath, 'utf8')).toBe(fileText);

    expect((await run(configPath, ['revoke', 'abcdef01'])).code).toBe(1);
    await events.close();
    await redis.deleteKeys(prefix);
  });
});
