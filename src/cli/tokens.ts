import type { Command } from 'commander';
import { resolveConfigPath } from '../config/paths.js';
import type { Env } from '../config/paths.js';
import { readPairedTokenEntries, updatePairedTokens } from '../config/persist.js';
import {
  isTokenHash,
  matchHashPrefix,
  normalizePairedTokenEntries,
  hashPairedToken,
} from '../auth/paired-tokens.js';

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

/** `gatehouse tokens list|revoke`: manage the paired token hashes in the config file. */
export function registerTokensCommand(program: Command, io: TokensCommandIo = defaultIo): void {
  const tokens = program.command('tokens').description('list or revoke paired bearer tokens');

  tokens
    .command('list')
    .description('show the hash prefix of every paired token')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function listAction(opts: { config?: string }) {
      const path = resolveConfigPath({ flag: opts.config, env: io.env }).path;
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
    .argument('<prefix>', 'hash prefix from `gatehouse tokens list`')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function revokeAction(prefix: string, opts: { config?: string }) {
      const path = resolveConfigPath({ flag: opts.config, env: io.env }).path;
      let revoked = '';
      // A TokenPrefixError (unknown, ambiguous, malformed) propagates before anything is
      // written: runProgram prints its one-line message and exits 1.
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
