import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { inboxBackendProblem } from '../config/inbox-backend.js';
import { loadConfig } from '../config/load.js';
import { resolveInboxPath } from '../inbox/inbox-path.js';
import { openInbox, redisInboxLocation } from '../inbox/open-inbox.js';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import type { Inbox, InboxCounts, InboxStatus } from '../inbox/types.js';
import type { ChannelName } from '../core/types.js';
import {
  COUNT_ORDER,
  listEntryJson,
  listEntryLines,
  parseAgeOption,
  parsePositiveInt,
  parsePurgeStatusOption,
  parseStatusOption,
} from './inbox-format.js';

/*
 * The inbox commands open the SQLite file directly, so they work whether or not the gateway runs:
 * WAL mode lets them read beside it, and every change is one transaction the running worker sees
 * on its next claim (a requeued item is picked up within its idle poll). With
 * `[inbox] backend = "redis"` they act on the queue in Redis that every instance shares.
 */

interface ConfigFlags {
  config?: string;
}

const CONFIG_FLAG = '-c, --config <path>';
const CONFIG_HELP = 'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)';

/** `gatehouse inbox` and its subcommands list, retry, drop and purge. */
export function registerInboxCommand(program: Command): void {
  const inbox = program
    .command('inbox')
    .description('show the channel inbox: pending, processing, dead and done messages')
    .addHelpText(
      'after',
      '\nWithout a command: print the counts (pending, processing, dead, done, unknown).\n' +
        '  -c, --config <path>  config file\n  --json               print the counts as JSON',
    );
  // The counts are a hidden default subcommand, so `inbox --json` and `inbox list --json` each
  // get their own flags (options on the parent would take the subcommands' flags too).
  inbox
    .command('counts', { isDefault: true, hidden: true })
    .description('print how many messages are pending, processing, dead and done')
    .option(CONFIG_FLAG, CONFIG_HELP)
    .option('--json', 'print the counts as JSON')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      const { file, result: counts } = await withInbox(
        flags,
        (store) => store.counts(),
        emptyCounts(),
      );
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({ path: file, ...counts })}\n`);
        return;
      }
      process.stdout.write(`inbox ${file}\n`);
      for (const status of COUNT_ORDER) {
        process.stdout.write(`${status.padEnd(11)}${counts[status]}\n`);
      }
    });

  inbox
    .command('list')
    .description('list messages, newest first (never their text unless --show-text)')
    .option(CONFIG_FLAG, CONFIG_HELP)
    .option('--status <status>', 'pending, processing, dead or done', parseStatusOption)
    .option('--channel <channel>', 'only this channel (whatsapp, slack, telegram)')
    .option('--limit <n>', 'at most this many (default 50)', parsePositiveInt)
    .option('--json', 'print a JSON array')
    .option('--show-text', 'include the message text')
    .action(
      async (
        flags: ConfigFlags & {
          status?: InboxStatus;
          channel?: string;
          limit?: number;
          json?: boolean;
          showText?: boolean;
        },
      ) => {
        const filter = {
          ...(flags.status === undefined ? {} : { status: flags.status }),
          ...(flags.channel === undefined ? {} : { channel: flags.channel as ChannelName }),
          ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        };
        const { result: entries } = await withInbox(flags, (store) => store.list(filter), []);
        const showText = flags.showText === true;
        if (flags.json === true) {
          const rows = entries.map((entry) => listEntryJson(entry, showText));
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${listEntryLines(entries, showText).join('\n')}\n`);
      },
    );

  inbox
    .command('retry <id>')
    .description('put a dead message back to pending, attempts reset')
    .option(CONFIG_FLAG, CONFIG_HELP)
    .action(async (id: string, flags: ConfigFlags) => {
      const itemId = parseId(id);
      const { result: done } = await withInbox(flags, (store) => store.requeue(itemId), false);
      finish(done, `inbox item ${itemId} is pending again`, `no dead inbox item ${itemId}`);
    });

  inbox
    .command('drop <id>')
    .description('delete one message that is not being processed')
    .option(CONFIG_FLAG, CONFIG_HELP)
    .action(async (id: string, flags: ConfigFlags) => {
      const itemId = parseId(id);
      const { result: done } = await withInbox(flags, (store) => store.drop(itemId), false);
      finish(
        done,
        `inbox item ${itemId} dropped`,
        `no inbox item ${itemId} that can be dropped (unknown, or being processed)`,
      );
    });

  inbox
    .command('purge')
    .description('delete done or dead messages (all of them, or those older than --older-than)')
    .requiredOption('--status <status>', 'done or dead', parsePurgeStatusOption)
    .option(
      '--older-than <age>',
      'only those last changed longer ago, like 7d or 12h',
      parseAgeOption,
    )
    .option(CONFIG_FLAG, CONFIG_HELP)
    .action(async (flags: ConfigFlags & { status: 'done' | 'dead'; olderThan?: number }) => {
      const cutoff = flags.olderThan === undefined ? undefined : Date.now() - flags.olderThan;
      const { result: removed } = await withInbox(
        flags,
        (store) => store.purge(flags.status, cutoff),
        0,
      );
      process.stdout.write(`purged ${removed} ${flags.status} inbox item(s)\n`);
    });
}

function parseId(value: string): number {
  return parsePositiveInt(value);
}

function finish(done: boolean, success: string, failure: string): void {
  if (done) {
    process.stdout.write(`${success}\n`);
    return;
  }
  process.stderr.write(`${failure}\n`);
  process.exitCode = 1;
}

/**
 * Runs `job` on the configured inbox; `fallback` when no SQLite inbox file exists (none is
 * created). `file` names where the inbox lives.
 */
async function withInbox<T>(
  flags: ConfigFlags,
  job: (inbox: Inbox) => Promise<T>,
  fallback: T,
): Promise<{ file: string; result: T }> {
  const loaded = loadConfig({ path: flags.config, env: process.env });
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { inbox: settings, state } = loaded.config;
  if (settings.backend === 'redis') {
    const problem = inboxBackendProblem(loaded.config);
    if (problem !== undefined) throw new ConfigError(`config error: ${problem}`);
    // Loaded on demand: every command shares this module, and only this branch needs Redis.
    const { connectRedis, createRedisClient } = await import('../state/redis-client.js');
    const client = createRedisClient({ url: state.url });
    try {
      if (!(await connectRedis(client, 5000))) {
        throw new Error('cannot connect to Redis (state.url): no answer within the timeout');
      }
      const redis = { client, keyPrefix: state.key_prefix };
      const { inbox } = await openInbox({ config: settings, home: loaded.home, redis });
      try {
        return { file: redisInboxLocation(state.key_prefix), result: await job(inbox) };
      } finally {
        await inbox.close();
      }
    } finally {
      if (client.isOpen) client.destroy();
    }
  }
  const file = resolveInboxPath(settings, loaded.home);
  if (!existsSync(file)) return { file, result: fallback };
  const inbox = openSqliteInbox({ path: file });
  try {
    return { file, result: await job(inbox) };
  } finally {
    await inbox.close();
  }
}

function emptyCounts(): InboxCounts {
  return { pending: 0, processing: 0, done: 0, dead: 0, unknown: 0 };
}
