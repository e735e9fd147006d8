import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import * as z from 'zod';
import { resolveConfigPath, resolveHome } from '../config/paths.js';
import type { Env } from '../config/paths.js';
import { AdminClientError, callAdmin } from './admin-client.js';

/** What the commands read and write; tests pass their own. */
export interface SessionsCommandIo {
  env: Env;
  out: (line: string) => void;
  fetch?: typeof fetch;
}

const defaultIo: SessionsCommandIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
};

const CONFIG_HELP = 'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseSessionId(value: string): string {
  if (!UUID_PATTERN.test(value)) throw new InvalidArgumentError('must be a session id (UUID)');
  return value.toLowerCase();
}

const listSchema = z.object({
  sessions: z.array(
    z.object({
      session_id: z.string(),
      principal_id: z.string(),
      agent: z.string(),
      client_key: z.string(),
      connected_at: z.string(),
      expires_at: z.string().optional(),
      instance_id: z.string().optional(),
    }),
  ),
});

/** `gatehouse sessions list|kill`: live WebSocket sessions of the running gateway (loopback admin). */
export function registerSessionsCommand(program: Command, io: SessionsCommandIo = defaultIo): void {
  const homeOf = (configFlag: string | undefined): string => {
    const resolved = resolveConfigPath({ flag: configFlag, env: io.env });
    return resolveHome(io.env, resolved.explicit ? resolved.path : undefined);
  };
  const sessions = program.command('sessions').description('list or kill live WebSocket sessions');

  sessions
    .command('list')
    .description('show the live WebSocket sessions of the running gateway')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function listAction(flags: { config?: string }) {
      const body = await callAdmin({
        home: homeOf(flags.config),
        fetch: io.fetch,
        method: 'GET',
        path: '/admin/sessions',
      });
      const parsed = listSchema.safeParse(body);
      if (!parsed.success)
        throw new AdminClientError('The gateway sent an unexpected sessions answer');
      if (parsed.data.sessions.length === 0) {
        io.out('No live sessions.');
        return;
      }
      // The INSTANCE column appears with shared state, where the list spans every instance.
      const shared = parsed.data.sessions.some((session) => session.instance_id !== undefined);
      const head = ['SESSION', 'PRINCIPAL', 'AGENT', 'CLIENT', 'CONNECTED', 'EXPIRES'];
      io.out((shared ? [...head, 'INSTANCE'] : head).join('\t'));
      for (const session of parsed.data.sessions) {
        const instance = shared ? [session.instance_id ?? '-'] : [];
        io.out(
          [
            session.session_id,
            session.principal_id,
            session.agent,
            session.client_key,
            session.connected_at,
            session.expires_at ?? '-',
            ...instance,
          ].join('\t'),
        );
      }
    });

  sessions
    .command('kill')
    .description('force-disconnect one session (close code 4002)')
    .argument('<id>', 'session id from `gatehouse sessions list`', parseSessionId)
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function killAction(id: string, flags: { config?: string }) {
      await callAdmin({
        home: homeOf(flags.config),
        fetch: io.fetch,
        method: 'DELETE',
        path: `/admin/sessions/${id}`,
      });
      io.out(`Session ${id} closed.`);
    });
}
