import type { Command } from 'commander';
import { resolveConfigPath, resolveHome } from '../config/paths.js';
import type { Env } from '../config/paths.js';
import { requestPairingCode } from './admin-client.js';

/** What the command reads and writes; tests pass their own. */
export interface PairCommandIo {
  env: Env;
  out: (line: string) => void;
  fetch?: typeof fetch;
}

const defaultIo: PairCommandIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
};

/** `gatehouse pair [--config PATH]`: prints a fresh pairing code from the running gateway. */
export function registerPairCommand(program: Command, io: PairCommandIo = defaultIo): void {
  program
    .command('pair')
    .description('ask the running gateway for a new one-time pairing code')
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .action(async function pairAction(opts: { config?: string }) {
      const resolved = resolveConfigPath({ flag: opts.config, env: io.env });
      const home = resolveHome(io.env, resolved.explicit ? resolved.path : undefined);
      // AdminClientError propagates: runProgram prints its one-line message and exits 1.
      const code = await requestPairingCode({ home, fetch: io.fetch });
      io.out(`pairing code: ${code}`);
      io.out(
        'Send it once as the X-Pairing-Code header of POST /pair; it replaces any earlier code.',
      );
    });
}
