import type { Command } from 'commander';
import { parsePortOption } from './options.js';

interface StartFlags {
  config?: string;
  host?: string;
  port?: number;
  strict?: boolean;
}

/** `gatehouse start`: runs the gateway until SIGINT/SIGTERM. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the gateway (prints "gatehouse listening on http://HOST:PORT")')
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .option('--host <host>', 'bind address, overrides gateway.host')
    .option(
      '-p, --port <port>',
      'port, overrides gateway.port (0 = any free port)',
      parsePortOption,
    )
    .option('--strict', 'treat unknown config keys as errors')
    .action(async (flags: StartFlags) => {
      // Imported here so `--help` and `config check` do not load Fastify, pino and prom-client.
      const { startGateway, exitOnSignals, reloadOnHangup } = await import('../main.js');
      const { endStartUpSettings } = await import('../runtime/start-up-engine.js');
      reloadOnHangup();
      await startGateway({
        configPath: flags.config,
        hostOverride: flags.host,
        portOverride: flags.port,
        strict: flags.strict === true,
        env: process.env,
        stdout: process.stdout,
        onRunning: exitOnSignals,
      });
      endStartUpSettings();
    });
}
