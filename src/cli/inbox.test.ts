import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import { inboxMessage } from '../test-support/inbox-contract.js';
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
