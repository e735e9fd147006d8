import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runInboxContract } from '../test-support/inbox-contract.js';
import { openSqliteInbox } from './sqlite-inbox.js';

runInboxContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-inbox-'));
  return {
    open: async () => openSqliteInbox({ path: path.join(dir, 'inbox.db') }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});
