import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRedisInbox } from '../inbox/redis-inbox.js';
import { inboxMessage } from '../test-support/inbox-contract.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { registerInboxCommand } from './inbox.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.close();
});

async function run(args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const program = new Command().exitOverride();
    registerInboxCommand(program);
    await program.parseAsync(args, { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { out: out.join(''), err: err.join('') };
}

describe('gatehouse inbox with [inbox] backend = "redis"', () => {
  const dirs: string[] = [];
  afterEach(() => {
    process.exitCode = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(toml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-redis-inbox-'));
    dirs.push(dir);
    const file = path.join(dir, 'config.toml');
    fs.writeFileSync(file, toml);
    return file;
  }

  it('counts, lists and retries the items of the shared queue', async () => {
    const prefix = redis.uniquePrefix();
    const configPath = writeConfig(
      `[state]\nbackend = "redis"\nurl = ${JSON.stringify(redis.url)}\nkey_prefix = ${JSON.stringify(prefix)}\n\n[inbox]\nbackend = "redis"\n`,
    );
    const inbox = openRedisInbox({ client: await redis.connect(), keyPrefix: prefix });
    await inbox.enqueue([inboxMessage('1'), inboxMessage('2', { conversationId: 'c2' })]);
    const [first] = await inbox.claim(1, 30_000);
    await inbox.bury(first!, 'exhausted', 'HTTP 500');
    const flags = ['--config', configPath];

    expect(JSON.parse((await run(['inbox', '--json', ...flags])).out)).toEqual({
      path: `redis keys ${prefix}inbox:*`,
      pending: 1,
      processing: 0,
      dead: 1,
      done: 0,
      unknown: 0,
    });
    const dead = JSON.parse(
      (await run(['inbox', 'list', '--status', 'dead', '--json', ...flags])).out,
    ) as unknown[];
    expect(dead).toEqual([expect.objectContaining({ id: first!.id, reason: 'exhausted' })]);
    expect((await run(['inbox', 'retry', String(first!.id), ...flags])).out).toBe(
      `inbox item ${first!.id} is pending again\n`,
    );
    expect(await inbox.counts()).toMatchObject({ pending: 2, dead: 0 });
    await inbox.close();
    await redis.deleteKeys(prefix);
  });

  it('refuses a Redis inbox without Redis state, naming both keys', async () => {
    const configPath = writeConfig(`[inbox]\nbackend = "redis"\n`);
    await expect(run(['inbox', '--config', configPath])).rejects.toThrow(
      'config error: inbox.backend = "redis" needs state.backend = "redis"',
    );
  });
});
