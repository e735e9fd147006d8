import type { Command } from 'commander';
import * as z from 'zod';
import { CONFIG_EXIT_CODE } from '../config/config-error.js';
import { resolveConfigPath, resolveHome } from '../config/paths.js';
import { AdminClientError, callAdmin } from './admin-client.js';

const reloadAnswerSchema = z.union([
  z.object({
    ok: z.literal(true),
    changed: z.array(z.string()),
    applied: z.array(z.string()),
    restart_required: z.array(z.string()),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/** `gatehouse reload`: the running gateway re-reads its config; prints what changed or the error. */
export function registerReloadCommand(program: Command): void {
  program
    .command('reload')
    .description('make the running gateway re-read its config file (like SIGHUP)')
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .action(async function reloadAction(opts: { config?: string }) {
      const resolved = resolveConfigPath({ flag: opts.config, env: process.env });
      const home = resolveHome(process.env, resolved.explicit ? resolved.path : undefined);
      const body = await callAdmin({ home, method: 'POST', path: '/admin/reload' });
      const answer = reloadAnswerSchema.safeParse(body);
      if (!answer.success) throw new AdminClientError('The gateway sent an unexpected answer');
      const result = answer.data;
      if (!result.ok) {
        process.stderr.write(`${result.error}\n`);
        process.stderr.write('the gateway keeps running with its previous config\n');
        process.exitCode = CONFIG_EXIT_CODE;
        return;
      }
      if (result.changed.length === 0) process.stdout.write('reloaded: nothing changed\n');
      for (const key of result.applied) process.stdout.write(`applied: ${key}\n`);
      for (const key of result.restart_required) {
        process.stdout.write(`needs a restart (running value kept): ${key}\n`);
      }
    });
}
