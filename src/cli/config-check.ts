import type { Command } from 'commander';
import { stringify } from 'smol-toml';
import { loadConfig } from '../config/load.js';
import { maskSecrets } from '../config/mask.js';
import { checkStartupConfig } from '../config/startup-checks.js';
import { parseFormatOption } from './options.js';

interface ConfigCheckFlags {
  config?: string;
  strict?: boolean;
  format: 'toml' | 'json';
}

/** The `gatehouse config` command group; later `config …` subcommands attach to the same one. */
export function configCommandGroup(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'config') ??
    program.command('config').description('inspect the configuration')
  );
}

/**
 * `gatehouse config check`: validates the config (including the start-up checks) and prints it
 * with secrets masked.
 */
export function registerConfigCheckCommand(program: Command): void {
  configCommandGroup(program)
    .command('check')
    .description('validate the config and print the effective values (secrets masked)')
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .option('--strict', 'treat unknown config keys as errors')
    .option('--format <format>', 'output format: toml or json', parseFormatOption, 'toml')
    .action((flags: ConfigCheckFlags) => {
      const loaded = loadConfig({
        path: flags.config,
        env: process.env,
        strict: flags.strict === true,
      });
      for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
      if (loaded.created) process.stderr.write(`created ${loaded.path} from the template\n`);
      // Exactly what `start` refuses, so "valid" here means the gateway will start with it.
      const { bind } = checkStartupConfig(loaded.config);
      if (bind.warning !== undefined) process.stderr.write(`warning: ${bind.warning}\n`);
      const masked = maskSecrets(loaded.config);
      process.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify(masked, null, 2)}\n`
          : `# ${loaded.path} (valid; secrets masked)\n${stringify(masked)}\n`,
      );
    });
}
