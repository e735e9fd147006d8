import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inboxMessage, runInboxContract } from '../test-support/inbox-contract.js';
import { openSqliteInbox } from './sqlite-inbox.js';

runInboxContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-inbox-'));
  return {
    open: async () => openSqliteInbox({ path: path.join(dir, 'inbox.db') }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite inbox file', () => {
  it('is created owner-only (0600) because it holds message text', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-inbox-mode-'));
    try {
      const file = path.join(dir, 'nested', 'inbox.db');
      const inbox = openSqliteInbox({ path: file });
      await inbox.enqueue([]);
      await inbox.close();
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite inbox written by the first version', () => {
  it('migrates failed items to dead letters, a saved reply to one part, processing to claimable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-inbox-v1-'));
    try {
      const file = path.join(dir, 'inbox.db');
      const db = new Database(file);
      db.exec(`CREATE TABLE inbox_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, message_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL, message TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL, reply TEXT,
        last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        UNIQUE (channel, message_id))`);
      const insert = db.prepare(
        `INSERT INTO inbox_items (channel, message_id, conversation_id, message, status, attempts,
           not_before, reply, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?, 5, 5)`,
      );
      const json = (id: string, conversationId: string) =>
        JSON.stringify(inboxMessage(id, { conversationId }));
      insert.run('whatsapp', 'w1', 'c1', json('w1', 'c1'), 'failed', null, 'HTTP 400');
      insert.run('whatsapp', 'w2', 'c2', json('w2', 'c2'), 'processing', 'saved', null);
      db.close();

      const inbox = openSqliteInbox({ path: file });
      expect(await inbox.counts()).toMatchObject({ dead: 1, processing: 1 });
      expect(await inbox.list({ status: 'dead' })).toMatchObject([
        { reason: 'exhausted', lastError: 'HTTP 400' },
      ]);
      const [item] = await inbox.claim(5, 30_000);
      expect(item).toMatchObject({ attempts: 2, parts: [{ text: 'saved', state: 'pending' }] });
      expect(await inbox.enqueue([inboxMessage('w1')])).toEqual({ accepted: 0, duplicates: 1 });
      await inbox.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
