import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInboxContract } from '../test-support/inbox-contract.js';
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
