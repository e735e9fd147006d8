import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadJwtSecret } from '../auth/jwt-secret.js';
import {
  createRevocationList,
  declareRevocationNamespace,
  JWT_REVOKED_CHANNEL,
} from '../auth/revocations.js';
import { CHANNEL_SCOPES, formatScopes, parseScopes, ScopeError } from '../auth/scopes.js';
import { createTokenRegistry, declareTokenRegistryNamespace } from '../auth/token-registry.js';
import { loadConfig } from '../config/load.js';
import type { Env } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import { createStateStore, type StateBackend } from '../state/create-state-store.js';
import type { StateStore } from '../state/types.js';

/** What the commands read and write; tests pass their own. */
export interface TokenCommandIo {
  env: Env;
  out: (line: string) => void;
  /** Opens the state the running gateways use (default: `createStateStore` on `[state]`). */
  openState?: (home: string, config: Config) => Promise<StateBackend>;
}

const defaultIo: TokenCommandIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
};

const CONFIG_HELP = 'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)';
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const JTI_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const SUBJECT_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** Parses `30m`, `24h`, `7d` or plain seconds into seconds. */
export function parseExpiry(value: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  const seconds = match === null ? NaN : Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? NaN);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('use a positive duration like 30m, 24h, 7d or 3600 (seconds)');
  }
  return seconds;
}

function parseSubject(value: string): string {
  if (!SUBJECT_PATTERN.test(value)) {
    throw new InvalidArgumentError('use 1-256 printable characters without spaces');
  }
  return value;
}

function parseJti(value: string): string {
  if (!JTI_PATTERN.test(value)) throw new InvalidArgumentError('not a token id');
  return value;
}

/** Parses `--scope`: well-formed and known, since an unknown scope would open no channel. */
export function parseScopeOption(value: string): ReadonlySet<string> {
  let scopes: ReadonlySet<string>;
  try {
    scopes = parseScopes(value);
  } catch (error) {
    if (error instanceof ScopeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  const known = `known scopes: ${CHANNEL_SCOPES.join(', ')}`;
  if (scopes.size === 0) throw new InvalidArgumentError(`give at least one scope (${known})`);
  for (const scope of scopes) {
    if (!CHANNEL_SCOPES.includes(scope)) {
      throw new InvalidArgumentError(`unknown scope "${scope}" (${known})`);
    }
  }
  return scopes;
}

interface CreateFlags {
  subject: string;
  scope: ReadonlySet<string>;
  expiry: number;
  issuer?: string;
  config?: string;
}

/** `gatehouse token create|revoke|list`: scoped JWTs, revocable on a running gateway. */
export function registerTokenCommand(program: Command, io: TokenCommandIo = defaultIo): void {
  const openState =
    io.openState ??
    ((home: string, config: Config) => createStateStore({ config: config.state, home }));

  async function withStore<T>(
    configFlag: string | undefined,
    job: (store: StateStore, config: Config, home: string, state: StateBackend) => Promise<T>,
  ): Promise<T> {
    const { config, home } = loadConfig({ path: configFlag, env: io.env });
    const state = await openState(home, config);
    const { store } = state;
    declareRevocationNamespace(store);
    declareTokenRegistryNamespace(store);
    try {
      return await job(store, config, home, state);
    } finally {
      await state.close();
    }
  }

  const token = program.command('token').description('create, revoke or list scoped JWTs');

  token
    .command('create')
    .description('issue a JWT and print it with its jti (the token is shown only once)')
    .requiredOption('--subject <sub>', 'who the token is for, e.g. user:alice', parseSubject)
    .requiredOption(
      '--scope <scopes>',
      'comma- or space-separated, e.g. channels:web,channels:api',
      parseScopeOption,
    )
    .option('--expiry <duration>', 'lifetime: 30m, 24h, 7d or seconds', parseExpiry, 86_400)
    .option('--issuer <iss>', 'iss claim; must equal gateway.auth.jwt_issuer (the default)')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function createAction(this: Command, flags: CreateFlags) {
      await withStore(flags.config, async (store, config, home) => {
        const issuer = config.gateway.auth.jwt_issuer;
        if (flags.issuer !== undefined && flags.issuer !== issuer) {
          // The gateway verifies iss against its configured issuer, so such a token could never
          // be used; refusing here beats handing out a dead credential. Usage error: exit 2.
          this.error(
            `error: --issuer ${JSON.stringify(flags.issuer)} differs from gateway.auth.jwt_issuer = ${JSON.stringify(issuer)}; the gateway refuses tokens of any other issuer (set gateway.auth.jwt_issuer instead)`,
          );
        }
        // Imported here: every CLI start (including `gatehouse start`) loads this file, and jose
        // is needed only to sign.
        const { createJwtService } = await import('../auth/jwt.js');
        const jwt = createJwtService({
          secret: loadJwtSecret({ configured: config.gateway.auth.jwt_secret, home }),
          issuer,
          audience: config.gateway.auth.jwt_audience,
          isRevoked: () => false,
        });
        const created = await jwt.createToken({
          subject: flags.subject,
          scopes: flags.scope,
          expiresIn: flags.expiry,
        });
        await createTokenRegistry(store).register({
          jti: created.jti,
          subject: flags.subject,
          scope: formatScopes(flags.scope),
          expiresAt: created.expiresAt,
          issuedAt: created.issuedAt,
        });
        io.out(`token: ${created.token}`);
        io.out(`jti: ${created.jti}`);
        io.out(`expires: ${new Date(created.expiresAt).toISOString()}`);
        io.out('Send it as Authorization: Bearer <token>. It is not stored; revoke it by its jti.');
      });
    });

  token
    .command('revoke')
    .description(
      'revoke a JWT by jti; a running gateway refuses it and closes its sessions within 2 s',
    )
    .argument('<jti>', 'from `gatehouse token list` or `token create`', parseJti)
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function revokeAction(jti: string, flags: { config?: string }) {
      await withStore(flags.config, async (store, _config, _home, state) => {
        const record = await createTokenRegistry(store).get(jti);
        await createRevocationList({ store }).revoke(jti, record?.expiresAt);
        // Gateways also poll every second; the event makes the others act at once.
        await state.events.publish(JWT_REVOKED_CHANNEL, jti);
        if (record === undefined) {
          io.out(`Revoked ${jti} (not in the token list: kept until explicitly pruned).`);
        } else {
          io.out(`Revoked ${jti} (${record.subject}).`);
        }
        io.out(
          'A running gateway refuses it and closes its live sessions within 2 s; otherwise at next start.',
        );
      });
    });

  token
    .command('list')
    .description('show issued, unexpired JWTs (never the token itself)')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async function listAction(flags: { config?: string }) {
      await withStore(flags.config, async (store) => {
        const tokens = await createTokenRegistry(store).list();
        if (tokens.length === 0) {
          io.out('No unexpired tokens.');
          return;
        }
        io.out(['JTI', 'SUBJECT', 'SCOPE', 'EXPIRES', 'REVOKED'].join('\t'));
        for (const entry of tokens) {
          io.out(
            [
              entry.jti,
              entry.subject,
              entry.scope,
              new Date(entry.expiresAt).toISOString(),
              entry.revoked ? 'yes' : 'no',
            ].join('\t'),
          );
        }
      });
    });
}
