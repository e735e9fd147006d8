import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJwtService } from '../auth/jwt.js';
import { loadJwtSecret } from '../auth/jwt-secret.js';
import { createRevocationList, declareRevocationNamespace } from '../auth/revocations.js';
import { isGatewayError } from '../errors.js';
import { createEmbeddedStateStore } from '../state/index.js';
import { createProgram, runProgram } from './program.js';
import { parseExpiry, registerTokenCommand } from './token.js';
import { STATE_DB_FILE } from '../state/state-file.js';

let home: string;
let config: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-token-cli-'));
  config = join(home, 'config.toml');
  writeFileSync(config, '');
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ out: string[]; err: string; exitCode: number }> {
  const out: string[] = [];
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const program = createProgram();
    registerTokenCommand(program, { env: { GATEHOUSE_HOME: home }, out: (line) => out.push(line) });
    const exitCode = await runProgram(program, [
      'node',
      'gatehouse',
      'token',
      ...args,
      '--config',
      config,
    ]);
    return { out, err, exitCode: exitCode ?? 0 };
  } finally {
    stderr.mockRestore();
  }
}

const field = (out: string[], name: string): string =>
  (out.find((line) => line.startsWith(`${name}: `)) ?? '').slice(name.length + 2);

describe('parseExpiry', () => {
  it.each([
    ['30m', 1800],
    ['24h', 86_400],
    ['7d', 604_800],
    ['3600', 3600],
    ['45s', 45],
  ])('parses %s as %i seconds', (input, seconds) => {
    expect(parseExpiry(input)).toBe(seconds);
  });

  it.each(['0', '-5m', '1w', 'h', '1.5h', ''])('rejects %j', (input) => {
    expect(() => parseExpiry(input)).toThrow(/positive duration/);
  });
});

describe('gatehouse token', () => {
  it('creates a token that the gateway verifies, lists it, and revokes it for a running gateway', async () => {
    const created = await run([
      'create',
      '--subject',
      'user:alice',
      '--scope',
      'channels:web,channels:api',
      '--expiry',
      '24h',
    ]);
    expect(created.exitCode).toBe(0);
    const token = field(created.out, 'token');
    const jti = field(created.out, 'jti');

    // The "running gateway": its own store handle on the same file and the generated secret.
    const store = createEmbeddedStateStore({ path: join(home, STATE_DB_FILE) });
    declareRevocationNamespace(store);
    const revocations = createRevocationList({ store });
    await revocations.refresh();
    const jwt = createJwtService({
      secret: loadJwtSecret({ configured: undefined, home }),
      issuer: 'gatehouse',
      audience: 'gatehouse',
      isRevoked: revocations.isRevoked,
    });
    try {
      const principal = await jwt.verify(token);
      expect(principal).toMatchObject({ id: 'jwt:user:alice', jti });
      expect([...principal.scopes].sort()).toEqual(['channels:api', 'channels:web']);

      const listed = await run(['list']);
      expect(listed.out.join('\n')).toContain(`${jti}\tuser:alice\tchannels:web channels:api`);
      expect(listed.out.join('\n')).not.toContain(token);
      expect(listed.out[1]?.endsWith('\tno')).toBe(true);

      const closed: string[] = [];
      revocations.onRevoked((revoked) => closed.push(revoked));
      expect((await run(['revoke', jti])).exitCode).toBe(0);
      await revocations.refresh();
      expect(closed).toEqual([jti]);
      await expect(jwt.verify(token)).rejects.toSatisfy(
        (error) => isGatewayError(error) && error.code === 'AUTH_TOKEN_REVOKED',
      );
      expect((await run(['list'])).out[1]?.endsWith('\tyes')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses an invalid scope or expiry with a usage error', async () => {
    const badScope = await run(['create', '--subject', 'u', '--scope', 'channels:*']);
    expect(badScope.exitCode).toBe(2);
    expect(badScope.err).toContain('invalid scope');
    const badExpiry = await run([
      'create',
      '--subject',
      'u',
      '--scope',
      'channels:web',
      '--expiry',
      '1w',
    ]);
    expect(badExpiry.exitCode).toBe(2);
  });

  it.each([
    {
      scope: 'bogus:scope',
      message:
        'unknown scope "bogus:scope" (known scopes: channels:api, channels:web, channels:openai)',
    },
    { scope: 'channels:web,channels:admin', message: 'unknown scope "channels:admin"' },
    {
      scope: ' , ',
      message:
        'give at least one scope (known scopes: channels:api, channels:web, channels:openai)',
    },
  ])(
    'refuses --scope $scope with a usage error listing the known scopes',
    async ({ scope, message }) => {
      const result = await run(['create', '--subject', 'u', '--scope', scope]);
      expect(result.exitCode).toBe(2);
      expect(result.err).toContain(message);
      expect(result.out).toEqual([]);
    },
  );

  it('refuses an --issuer other than gateway.auth.jwt_issuer with a usage error', async () => {
    writeFileSync(config, '[gateway.auth]\njwt_issuer = "my-gateway"\n');
    const result = await run([
      'create',
      '--subject',
      'u',
      '--scope',
      'channels:web',
      '--issuer',
      'other-iss',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.err).toContain(
      'error: --issuer "other-iss" differs from gateway.auth.jwt_issuer = "my-gateway"',
    );
    expect(result.out).toEqual([]);
  });

  it('accepts an --issuer equal to gateway.auth.jwt_issuer and signs with it', async () => {
    writeFileSync(config, '[gateway.auth]\njwt_issuer = "my-gateway"\n');
    const result = await run([
      'create',
      '--subject',
      'u',
      '--scope',
      'channels:web',
      '--issuer',
      'my-gateway',
    ]);
    expect(result.exitCode).toBe(0);
    expect(decodeJwt(field(result.out, 'token')).iss).toBe('my-gateway');
  });

  it('refuses to issue tokens with a configured secret shorter than 32 bytes', async () => {
    writeFileSync(config, '[gateway.auth]\njwt_secret = "too-short"\n');
    const result = await run(['create', '--subject', 'u', '--scope', 'channels:web']);
    expect(result.exitCode).toBe(2);
    expect(result.err).toContain('gateway.auth.jwt_secret');
  });
});
