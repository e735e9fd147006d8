import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { resolveInboxPath } from '../inbox/inbox-path.js';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import type { InboxCounts } from '../inbox/types.js';

interface InboxFlags {
  config?: string;
  json?: boolean;
}

const ORDER: ReadonlyArray<keyof InboxCounts> = ['pending', 'processing', 'failed', 'done'];

/** `gatehouse inbox`: prints how many channel messages are pending, processing, failed and done. */
export function registerInboxCommand(program: Command): void {
  program
    .command('inbox')
    .description('show the channel inbox: pending, processing, failed and done messages')
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .option('--json', 'print the counts as JSON')
    .action(async (flags: InboxFlags) => {
      const loaded = loadConfig({ path: flags.config, env: process.env });
      for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
      const file = resolveInboxPath(loaded.config.inbox, loaded.home);
      const counts = existsSync(file) ? await readCounts(file) : emptyCounts();
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({ path: file, ...counts })}\n`);
        return;
      }
      process.stdout.write(`inbox ${file}\n`);
      for (const status of ORDER) process.stdout.write(`${status.padEnd(11)}${counts[status]}\n`);
    });
}

async function readCounts(file: string): Promise<InboxCounts> {
  const inbox = openSqliteInbox({ path: file });
  try {
    return await inbox.counts();
  } finally {
    await inbox.close();
  }
}

function emptyCounts(): InboxCounts {
  return { pending: 0, processing: 0, done: 0, failed: 0 };
}
