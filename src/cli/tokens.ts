import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { resolveConfigPath } from '../config/paths.js';
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

/** `gatehouse tokens list|revoke`: manage the paired token hashes (config file or shared state). */
export function registerTokensCommand(program: Command, io: TokensCommandIo = defaultIo): void {
  const tokens = program.command('tokens').description('list or revoke paired bearer tokens');

  tokens
    .command('list')
    .description('show the hash prefix of every paired token')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function listAction(opts: { config?: string }) {
      const path = resolveConfigPath({ flag: opts.config, env: io.env }).path;
      const shared = await openSharedState(path, io.env);
      if (shared !== undefined) {
        try {
          const hashes = await listSharedTokens(shared.store);
          for (const hash of hashes) io.out(hash.slice(0, LIST_PREFIX_LENGTH));
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
      for (const entry of entries) {
        // Plaintext entries are shown by their hash only: never echo a usable token.
        const plaintext = !isTokenHash(entry);
        const hash = plaintext ? hashPairedToken(entry.trim()) : entry;
        const note = plaintext
          ? '  (plaintext in the config; the gateway replaces it with its hash)'
          : '';
        io.out(`${hash.slice(0, LIST_PREFIX_LENGTH)}${note}`);
      }
      io.out(
        `${entries.length} paired token(s) in ${path}. Revoke with \`gatehouse tokens revoke <prefix>\`.`,
      );
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
