import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import { inboxMessage } from '../test-support/inbox-contract.js';
import { parseAgeOption } from './inbox-format.js';
import { registerInboxCommand } from './inbox.js';

describe('gatehouse inbox', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints pending, processing, dead, done and unknown counts of the configured inbox', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-inbox-'));
    dirs.push(dir);
    const db = path.join(dir, 'inbox.db');
    const configPath = path.join(dir, 'config.toml');
    fs.writeFileSync(configPath, `[inbox]\npath = ${JSON.stringify(db)}\n`);
    const inbox = openSqliteInbox({ path: db });
    await inbox.enqueue([
      inboxMessage('1'),
      inboxMessage('2'),
      inboxMessage('3', { conversationId: 'c3' }),
    ]);
    const [first] = await inbox.claim(1, 30_000);
    await inbox.bury(first!, 'exhausted', 'boom');
    await inbox.close();

    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const program = new Command().exitOverride();
    registerInboxCommand(program);
    await program.parseAsync(['inbox', '--config', configPath, '--json'], { from: 'user' });
    expect(JSON.parse(out.join(''))).toEqual({
      path: db,
      pending: 2,
      processing: 0,
      dead: 1,
      done: 0,
      unknown: 0,
    });
  });
});

describe('gatehouse inbox drop and purge (gateway stopped)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
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
    const program = new Command().exitOverride();
    registerInboxCommand(program);
    await program.parseAsync(args, { from: 'user' });
    vi.restoreAllMocks();
    return { out: out.join(''), err: err.join('') };
  }

  it('drops one item, refuses an unknown one, and purges done or dead items by age', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-purge-'));
    dirs.push(dir);
    const db = path.join(dir, 'inbox.db');
    const configPath = path.join(dir, 'config.toml');
    fs.writeFileSync(configPath, `[inbox]\npath = ${JSON.stringify(db)}\n`);
    const inbox = openSqliteInbox({ path: db });
    await inbox.enqueue(['1', '2', '3', '4'].map((n) => inboxMessage(n, { conversationId: n })));
    const [done, dead, other] = await inbox.claim(3, 30_000);
    await inbox.complete(done!);
    await inbox.bury(dead!, 'permanent', 'HTTP 400');
    await inbox.complete(other!);
    await inbox.close();
    const flags = ['--config', configPath];

    const dropped = await run(['inbox', 'drop', String(other!.id), ...flags]);
    expect(dropped.out).toBe(`inbox item ${other!.id} dropped\n`);
    expect(await run(['inbox', 'drop', '999', ...flags])).toEqual({
      out: '',
      err: 'no inbox item 999 that can be dropped (unknown, or being processed)\n',
    });
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const young = await run(['inbox', 'purge', '--status', 'done', '--older-than', '1h', ...flags]);
    expect(young.out).toBe('purged 0 done inbox item(s)\n');
    expect((await run(['inbox', 'purge', '--status', 'done', ...flags])).out).toBe(
      'purged 1 done inbox item(s)\n',
    );
    expect((await run(['inbox', 'purge', '--status', 'dead', ...flags])).out).toBe(
      'purged 1 dead inbox item(s)\n',
    );
    const left = JSON.parse((await run(['inbox', 'list', '--json', ...flags])).out) as unknown[];
    expect(left).toEqual([
      expect.objectContaining({ status: 'pending', reason: null, last_error: null }),
    ]);
  });

  it('refuses a purge of pending items and a malformed age', async () => {
    await expect(run(['inbox', 'purge', '--status', 'pending'])).rejects.toThrow(
      /expected done or dead/,
    );
    await expect(
      run(['inbox', 'purge', '--status', 'done', '--older-than', '7 days']),
    ).rejects.toThrow(/expected a number and a unit/);
  });
});

describe('parseAgeOption', () => {
  it.each([
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseAgeOption(text)).toBe(ms);
  });
  it.each(['7', 'd', '-1d', '1.5h', '7w', ' 7d', '1234567d'])('refuses %j', (text) => {
    expect(() => parseAgeOption(text)).toThrow(InvalidArgumentError);
  });
});
