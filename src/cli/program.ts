import { Command, CommanderError } from 'commander';
import { isConfigError } from '../config/config-error.js';
import { readVersion } from './version.js';

/** Exit code for usage errors (unknown option, bad value), the same as for config errors. */
const USAGE_EXIT_CODE = 2;

/** The root `gatehouse` command with version and error handling; commands register on it. */
export function createProgram(): Command {
  return (
    new Command('gatehouse')
      .description('Self-hosted, security-first gateway between the outside world and an AI agent')
      .version(readVersion(), '-v, --version', 'print the version')
      .showHelpAfterError('(run with --help for usage)')
      // Subcommands inherit this because they are created after it (commander copies settings).
      .exitOverride()
  );
}

/**
 * Parses argv and runs the command. Resolves with the exit code for commands that finish, or
 * undefined for one that keeps running (start). Errors become one line on stderr, no stack.
 */
export async function runProgram(
  program: Command,
  argv: readonly string[],
): Promise<number | undefined> {
  try {
    await program.parseAsync([...argv]);
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed the message; --help and --version end with exit code 0.
      return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    if (isConfigError(error)) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`gatehouse: ${message}\n`);
    return 1;
  }
}
