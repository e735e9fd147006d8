import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Env } from '../config/paths.js';
import { checkStartupConfig } from '../config/startup-checks.js';
import { auditConfig, doctorExitCode } from '../doctor/audit.js';
import { formatFindingsJson, formatFindingsText } from '../doctor/format.js';
import { gatherDoctorFacts } from '../doctor/gather.js';

/** What the command reads and writes; tests pass their own. */
export interface DoctorCommandIo {
  env: Env;
  out: (text: string) => void;
  err: (text: string) => void;
  setExitCode: (code: number) => void;
  fetch?: typeof fetch;
}

const defaultIo: DoctorCommandIo = {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

interface DoctorFlags {
  config?: string;
  json?: boolean;
}

/**
 * `gatehouse doctor [--config PATH] [--json]`: a security and deployment audit of the config, the
 * state directory and the running gateway. Exit 1 when a finding is critical; an invalid config
 * fails as in `config check` (ConfigError, exit 2).
 */
export function registerDoctorCommand(program: Command, io: DoctorCommandIo = defaultIo): void {
  program
    .command('doctor')
    .description('audit the config, the state files and the running gateway for security problems')
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .option('--json', 'print {"findings":[…]} as JSON')
    .action(async function doctorAction(flags: DoctorFlags) {
      // A missing file is audited as the defaults and not created: doctor leaves no trace.
      const loaded = loadConfig({ path: flags.config, env: io.env, createIfMissing: false });
      for (const warning of loaded.warnings) io.err(`warning: ${warning}\n`);
      // The refusals of `start` and `config check`: such a config is invalid here too (exit 2).
      checkStartupConfig(loaded.config);
      const facts = await gatherDoctorFacts({
        config: loaded.config,
        configPath: loaded.path,
        home: loaded.home,
        env: io.env,
        ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
      });
      const findings = auditConfig(loaded.config, facts);
      io.out(
        flags.json === true
          ? formatFindingsJson(findings)
          : formatFindingsText(findings, `${loaded.path} (state: ${loaded.home})`),
      );
      io.setExitCode(doctorExitCode(findings));
    });
}
