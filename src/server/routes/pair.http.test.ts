import { afterEach, describe, expect, it } from 'vitest';
import { readAdminSecret } from '../../auth/admin-secret.js';
import type { GatewayReply, TestGateway } from '../../test-support/gateway-harness.js';
import { closeTestGateways, send, startTestGateway } from '../../test-support/gateway-harness.js';

afterEach(closeTestGateways);

/** A valid 6-digit code that is not the live one. */
function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

function pairWith(
  gateway: TestGateway,
  code: string,
  headers: Record<string, string> = {},
): Promise<GatewayReply> {
  return send(gateway, '/pair', { headers: { ...headers, 'x-pairing-code': code } });
}

function liveCode(gateway: TestGateway): string {
  const code = gateway.pairingCode();
  if (code === undefined) throw new Error('no pairing code printed');
  return code;
}

function expectLocked(reply: GatewayReply): void {
  expect(reply.status).toBe(429);
  expect(reply.body).toEqual({
    error: expect.stringMatching(/^Too many failed attempts\. Try again in \d+s\.$/),
    code: 'PAIRING_LOCKED',
    retry_after: expect.any(Number),
  });
  const retryAfter = reply.body.retry_after as number;
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(300);
  expect(reply.body.error).toBe(`Too many failed attempts. Try again in ${retryAfter}s.`);
  expect(reply.headers.get('retry-after')).toBe(String(retryAfter));
}

describe('POST /pair rejections over real HTTP', () => {
  it('answers a wrong code and a missing header with 403 PAIRING_CODE_INVALID', async () => {
    const gateway = await startTestGateway();
    const wrong = await pairWith(gateway, wrongCode(liveCode(gateway)));
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: 'Invalid pairing code', code: 'PAIRING_CODE_INVALID' });
    const missing = await send(gateway, '/pair');
    expect(missing.status).toBe(403);
    expect(missing.body.code).toBe('PAIRING_CODE_INVALID');
  });

  it('locks the client after 3 failures: 429 with retry_after and Retry-After, even for the right code', async () => {
    const gateway = await startTestGateway();
    const code = liveCode(gateway);
    for (let i = 0; i < 3; i += 1) {
      expect((await pairWith(gateway, wrongCode(code))).status).toBe(403);
    }
    expectLocked(await pairWith(gateway, code));
    expect((await send(gateway, '/health', { method: 'GET' })).body.paired).toBe(false);
  });

  it('ignores X-Forwarded-For by default, so rotating it does not evade the lockout', async () => {
    const gateway = await startTestGateway();
    const code = liveCode(gateway);
    for (let i = 1; i <= 3; i += 1) {
      const reply = await pairWith(gateway, wrongCode(code), {
        'x-forwarded-for': `198.51.100.${i}`,
      });
      expect(reply.status).toBe(403);
    }
    expectLocked(
      await pairWith(gateway, code, {
        'x-forwarded-for': '198.51.100.99',
        'x-real-ip': '198.51.100.98',
      }),
    );
  });

  it('keys lockouts by the forwarded client when trust_forwarded_headers = true', async () => {
    const gateway = await startTestGateway({ toml: '[gateway]\ntrust_forwarded_headers = true\n' });
    const code = liveCode(gateway);
    const attacker = { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' };
    for (let i = 0; i < 3; i += 1) {
      expect((await pairWith(gateway, wrongCode(code), attacker)).status).toBe(403);
    }
    expectLocked(await pairWith(gateway, code, attacker));
    const other = await pairWith(gateway, code, { 'x-forwarded-for': '203.0.113.8' });
    expect(other.status).toBe(200);
    expect(other.body.paired).toBe(true);
  });

  it('rate limits /pair per client with pair_rate_limit_per_minute before looking at the code', async () => {
    const gateway = await startTestGateway({ toml: '[gateway]\npair_rate_limit_per_minute = 1\n' });
    const code = liveCode(gateway);
    expect((await pairWith(gateway, wrongCode(code))).status).toBe(403);
    const limited = await pairWith(gateway, code);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', retry_after: expect.any(Number) });
    expect(limited.headers.get('retry-after')).toBe(String(limited.body.retry_after));
  });

  it('burns the code after 10 wrong guesses from rotating X-Forwarded-For; only a new admin code pairs', async () => {
    const gateway = await startTestGateway({ toml: '[gateway]\ntrust_forwarded_headers = true\n' });
    const code = liveCode(gateway);
    for (let i = 1; i <= 10; i += 1) {
      const reply = await pairWith(gateway, wrongCode(code), {
        'x-forwarded-for': `198.51.100.${i}`,
      });
      expect(reply.status).toBe(403);
    }
    const refused = await pairWith(gateway, code, { 'x-forwarded-for': '203.0.113.50' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'Invalid pairing code', code: 'PAIRING_CODE_INVALID' });
    const warned = gateway.logLines.filter((line) => line.includes('pairing code invalidated'));
    expect(warned).toHaveLength(1);
    // Timestamps and pids are dropped: a 6-digit code could occur inside them by chance.
    const logged = gateway.logLines.map((line) => {
      const { time: _time, pid: _pid, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    expect(logged.join('\n')).not.toContain(code);

    const secret = await readAdminSecret(gateway.home.dir);
    const issued = await send(gateway, '/admin/pair-code', {
      headers: { 'x-admin-secret': secret ?? '' },
    });
    expect(issued.status).toBe(200);
    const fresh = issued.body.code as string;
    expect((await pairWith(gateway, fresh, { 'x-forwarded-for': '203.0.113.50' })).status).toBe(
      200,
    );
  });
});
