import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { TempHome } from '../test-support/gatehouse-process.js';
import { runCli, useBuiltCli } from '../test-support/gatehouse-process.js';
import { generatedJwtSecret, signJwt, unsignedJwt } from '../test-support/hand-made-jwt.js';
import {
  issueToken,
  liveHome,
  parseIssuedToken,
  postWebhook,
  startLiveGateway,
} from '../test-support/live-gateway.js';
import type { LiveGateway } from '../test-support/live-gateway.js';

/*
 * `gatehouse token …` and a running `gatehouse start`, both built, sharing one GATEHOUSE_HOME:
 * tokens minted by one process are verified by the other through the shared secret and state.db.
 */

const cli = useBuiltCli();

function home(extra?: string): TempHome {
  return cli.adopt(liveHome(extra === undefined ? {} : { extra }));
}

async function gateway(extra?: string): Promise<LiveGateway> {
  return startLiveGateway(home(extra));
}

describe('gatehouse token with a running gateway', { timeout: 60_000 }, () => {
  it('create prints a token and its jti; list shows jti, subject, scope, expiry and revoked but never the token', async () => {
    const live = await gateway();
    const created = await live.cli([
      'token',
      'create',
      '--subject',
      'user:alice',
      '--scope',
      'channels:web,channels:api',
      '--expiry',
      '24h',
    ]);
    expect(created.code).toBe(0);
    const { token, jti } = parseIssuedToken(created.stdout);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'user:alice', jti, scope: 'channels:web channels:api' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(86_400);

    const listed = await live.cli(['token', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]?.split('\t')).toEqual(['JTI', 'SUBJECT', 'SCOPE', 'EXPIRES', 'REVOKED']);
    expect(lines[1]?.split('\t')).toEqual([
      jti,
      'user:alice',
      'channels:web channels:api',
      new Date((claims.exp ?? 0) * 1000).toISOString(),
      'no',
    ]);
    const signature = token.split('.')[2] ?? '';
    expect(listed.stdout).not.toContain(signature);
    expect(listed.stdout).not.toContain(token.split('.')[1] ?? '');

    const revoked = await live.cli(['token', 'revoke', jti]);
    expect(revoked.code).toBe(0);
    const after = await live.cli(['token', 'list']);
    expect(after.stdout).toContain(`${jti}\tuser:alice\tchannels:web channels:api\t`);
    expect(after.stdout).toMatch(new RegExp(`^${jti}\\t.*\\tyes$`, 'm'));
  });

  it('/webhook accepts a JWT with channels:api and refuses one with only channels:web (403 AUTH_INSUFFICIENT_SCOPE)', async () => {
    const live = await gateway();
    const api = await issueToken(live, 'channels:web,channels:api');
    const accepted = await postWebhook(live.url, api.token, 'ping');
    expect(accepted).toEqual({
      status: 200,
      body: { response: 'echo: ping', model: 'echo', agent: 'default' },
    });

    const webOnly = await issueToken(live, 'channels:web');
    const refused = await postWebhook(live.url, webOnly.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('AUTH_INSUFFICIENT_SCOPE');
  });

  it('/webhook refuses with 401 a JWT signed with another secret, one expired beyond the leeway, alg none and HS512', async () => {
    const live = await gateway();
    const secret = generatedJwtSecret(live.home);

    const foreign = await signJwt('another-secret-that-is-long-enough-0123456789', {
      expInSecs: 3600,
    });
    const expired = await signJwt(secret, { expInSecs: -120 });
    const otherAlg = await signJwt(secret, { expInSecs: 3600, alg: 'HS512' });
    for (const token of [foreign, expired, unsignedJwt(), otherAlg]) {
      const refused = await postWebhook(live.url, token);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('AUTH_INVALID_TOKEN');
    }
    // Control: the same hand-made claims with the gateway's secret and a future expiry pass, so the
    // refusals above are about the signature, the expiry and the algorithm, not the claims.
    const valid = await signJwt(secret, { expInSecs: 3600 });
    expect((await postWebhook(live.url, valid)).status).toBe(200);
  });

  it('refuses to start (exit 2, naming the key) with a jwt_secret shorter than 32 bytes in the config', async () => {
    const created = home('[gateway.auth]\njwt_secret = "only-31-bytes-long-0123456789ab"');
    const result = await runCli(['start', '--config', created.configPath], created.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gateway.auth.jwt_secret');
    expect(result.stderr).toContain('31 bytes');
    expect(result.stdout).not.toContain('gatehouse listening on');
  });

  it('refuses to start (exit 2, naming the variable) with a GATEHOUSE_JWT_SECRET shorter than 32 bytes', async () => {
    const created = home();
    const result = await runCli(['start', '--config', created.configPath], {
      ...created.env,
      GATEHOUSE_JWT_SECRET: 'short-secret',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GATEHOUSE_JWT_SECRET');
    expect(result.stdout).not.toContain('gatehouse listening on');
  });

  it('uses GATEHOUSE_JWT_SECRET when it is long enough: no jwt.secret is generated and CLI tokens verify', async () => {
    const created = home();
    const live = await startLiveGateway(created, {
      GATEHOUSE_JWT_SECRET: 'env-secret-of-at-least-32-bytes-0123456789',
    });
    const { token } = await issueToken(live, 'channels:api');
    expect((await postWebhook(live.url, token)).status).toBe(200);
    expect(existsSync(join(created.dir, 'jwt.secret'))).toBe(false);
  });

  it('generates $GATEHOUSE_HOME/jwt.secret with mode 0600 and reuses it on restart, so earlier tokens still verify', async () => {
    const first = await gateway();
    const secretPath = join(first.home.dir, 'jwt.secret');
    expect(statSync(secretPath).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretPath, 'utf8');
    expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/);
    const { token } = await issueToken(first, 'channels:api');
    expect((await postWebhook(first.url, token)).status).toBe(200);

    await first.stop();
    const second = await startLiveGateway(first.home);
    expect(readFileSync(secretPath, 'utf8')).toBe(secret);
    expect(statSync(secretPath).mode & 0o777).toBe(0o600);
    expect((await postWebhook(second.url, token, 'after restart')).body).toEqual({
      response: 'echo: after restart',
      model: 'echo',
      agent: 'default',
    });
  });
});
