import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createDeviceBook, declareDevicesNamespace, parseDeviceName } from '../auth/devices.js';
import type { DeviceBook, DeviceRecord } from '../auth/devices.js';
import { resolveConfigPath, resolveHome } from '../config/paths.js';
import { openHomeStateStore } from '../state/state-file.js';
import type { Env } from '../config/paths.js';
import { readPairedTokenEntries, updatePairedTokens } from '../config/persist.js';
import {
  isTokenHash,
  matchHashPrefix,
  TokenPrefixError,
  normalizePairedTokenEntries,
  hashPairedToken,
} from '../auth/paired-tokens.js';
import {
  declareSharedTokenNamespaces,
  listSharedTokens,
  revokeSharedToken,
} from '../auth/shared-paired-tokens.js';
import { loadConfig } from '../config/load.js';
import { createStateStore, type StateBackend } from '../state/create-state-store.js';

/** Characters of a hash shown by `tokens list`; enough to revoke by. */
export const LIST_PREFIX_LENGTH = 12;

/** What the commands read and write; tests pass their own. */
export interface TokensCommandIo {
  env: Env;
  out: (line: string) => void;
  /** Device names and times; default: the state store in the gateway's home. */
  openDevices?: (home: string) => { book: DeviceBook; close(): Promise<void> };
}

function openHomeDevices(home: string): { book: DeviceBook; close(): Promise<void> } {
  const store = openHomeStateStore(home);
  declareDevicesNamespace(store);
  return { book: createDeviceBook(store), close: () => store.close() };
}

async function withDevices<T>(
  io: TokensCommandIo,
  configFlag: string | undefined,
  job: (book: DeviceBook) => Promise<T>,
): Promise<T> {
  const devices = (io.openDevices ?? openHomeDevices)(resolveHome(io.env, configFlag));
  try {
    return await job(devices.book);
  } finally {
    await devices.close();
  }
}

const day = (epochMs: number | undefined): string =>
  epochMs === undefined ? 'never' : new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ');

/** One `tokens list` line: prefix, name, paired and last-used times (UTC, minute precision). */
export function formatDeviceLine(prefix: string, record: DeviceRecord | undefined): string {
  if (record === undefined) return `${prefix}  (no name)  paired: unknown  last used: unknown`;
  return `${prefix}  ${record.name}  paired: ${day(record.createdAt)}  last used: ${day(record.lastUsedAt)}`;
}

const defaultIo: TokensCommandIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
};

const CONFIG_HELP = 'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)';

/**
 * Parses `<prefix>`: malformed syntax is a usage error (exit 2) found before the config is read;
 * a well-formed prefix that matches nothing or several tokens stays an exit-1 failure.
 */
export function parseTokenPrefix(value: string): string {
  try {
    // Matching against no hashes runs only the syntax rule of the one place that defines it.
    matchHashPrefix([], value);
  } catch (error) {
    if (error instanceof TokenPrefixError && error.problem === 'invalid') {
      throw new InvalidArgumentError(error.message);
    }
    // 'not-found' is the expected outcome for a well-formed prefix against the empty list.
    if (!(error instanceof TokenPrefixError)) throw error;
  }
  return value;
}

/** Parses `<name>` of `tokens rename`; an unusable name is a usage error (exit 2). */
export function parseDeviceNameArgument(value: string): string {
  const name = parseDeviceName(value);
  if (name === undefined) {
    throw new InvalidArgumentError('a name is 1 to 64 printable characters');
  }
  return name;
}

/**
 * The shared state when the config says `[state] backend = "redis"` (the tokens then live there,
 * not in the file), else undefined. A missing config file means the embedded default.
 */
async function openSharedState(path: string, env: Env): Promise<StateBackend | undefined> {
  if (!existsSync(path)) return undefined;
  const { config, home } = loadConfig({ path, env });
  if (config.state.backend !== 'redis') return undefined;
  const state = await createStateStore({ config: config.state, home });
  declareSharedTokenNamespaces(state.store);
  return state;
}

/** `gatehouse tokens list|rename|revoke`: manage the paired tokens (config file or shared state). */
export function registerTokensCommand(program: Command, io: TokensCommandIo = defaultIo): void {
  const tokens = program
    .command('tokens')
    .description('list, rename or revoke paired bearer tokens (devices)');

  tokens
    .command('list')
    .description('show every paired token: hash prefix, device name, paired and last-used time')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function listAction(opts: { config?: string }) {
      const path = resolveConfigPath({ flag: opts.config, env: io.env }).path;
      const shared = await openSharedState(path, io.env);
      if (shared !== undefined) {
        try {
          const hashes = await listSharedTokens(shared.store);
          // Device names live beside the tokens, in the shared state.
          declareDevicesNamespace(shared.store);
          const book = createDeviceBook(shared.store);
          for (const hash of hashes) {
            io.out(formatDeviceLine(hash.slice(0, LIST_PREFIX_LENGTH), await book.get(hash)));
          }
          io.out(
            `${hashes.length} paired token(s) in the shared state (Redis). Revoke with \`gatehouse tokens revoke <prefix>\`.`,
          );
        } finally {
          await shared.close();
        }
        return;
      }
      const entries = await readPairedTokenEntries(path);
      if (entries.length === 0) {
        io.out(`No paired tokens in ${path}.`);
        return;
      }
      await withDevices(io, opts.config, async (book) => {
        for (const entry of entries) {
          // Plaintext entries are shown by their hash only: never echo a usable token.
          const plaintext = !isTokenHash(entry);
          const hash = plaintext ? hashPairedToken(entry.trim()) : entry;
          const note = plaintext
            ? '  (plaintext in the config; the gateway replaces it with its hash)'
            : '';
          io.out(
            `${formatDeviceLine(hash.slice(0, LIST_PREFIX_LENGTH), await book.get(hash))}${note}`,
          );
        }
      });
      io.out(
        `${entries.length} paired token(s) in ${path}. Revoke with \`gatehouse tokens revoke <prefix>\`.`,
      );
    });

  tokens
    .command('rename')
    .description('name the paired device whose token hash starts with <prefix>')
    .argument('<prefix>', 'hash prefix from `gatehouse tokens list`', parseTokenPrefix)
    .argument('<name>', 'new name (1 to 64 printable characters)', parseDeviceNameArgument)
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function renameAction(prefix: string, name: string, opts: { config?: string }) {
      const path = resolveConfigPath({ flag: opts.config, env: io.env }).path;
      const shared = await openSharedState(path, io.env);
      if (shared !== undefined) {
        try {
          const hash = matchHashPrefix(await listSharedTokens(shared.store), prefix);
          declareDevicesNamespace(shared.store);
          await createDeviceBook(shared.store).rename(hash, name);
          io.out(`Renamed ${hash.slice(0, LIST_PREFIX_LENGTH)} to ${name}.`);
        } finally {
          await shared.close();
        }
        return;
      }
      const { hashes } = normalizePairedTokenEntries(await readPairedTokenEntries(path));
      // Unknown or ambiguous prefixes fail (exit 1) before anything is written.
      const hash = matchHashPrefix(hashes, prefix);
      await withDevices(io, opts.config, (book) => book.rename(hash, name));
      io.out(`Renamed ${hash.slice(0, LIST_PREFIX_LENGTH)} to ${name}.`);
    });

  tokens
    .command('revoke')
    .description('remove the paired token whose hash starts with <prefix> (8+ hex characters)')
    .argument('<prefix>', 'hash prefix from `gatehouse tokens list`', parseTokenPrefix)
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function revokeAction(prefix: string, opts: { config?: string }) {
      const path = resolveConfigPath({ flag: opts.config, env: io.env }).path;
      const shared = await openSharedState(path, io.env);
      if (shared !== undefined) {
        try {
          const hash = await revokeSharedToken(shared.store, shared.events, prefix);
          io.out(
            `Revoked token ${hash.slice(0, LIST_PREFIX_LENGTH)} on every instance; their live sessions close within 2 s.`,
          );
        } finally {
          await shared.close();
        }
        return;
      }
      let revoked = '';
      // A TokenPrefixError (unknown, ambiguous) propagates before anything is written:
      // runProgram prints its one-line message and exits 1.
      await updatePairedTokens(path, (current) => {
        const { hashes } = normalizePairedTokenEntries(current);
        revoked = matchHashPrefix(hashes, prefix);
        return hashes.filter((hash) => hash !== revoked);
      });
      io.out(
        `Revoked token ${revoked.slice(0, LIST_PREFIX_LENGTH)}. A running gateway stops accepting it within a few seconds.`,
      );
    });
}
