import { describe, expect, it } from 'vitest';
import { hashPairedToken } from '../../auth/paired-tokens.js';
import { useBuiltCli } from '../../test-support/gatehouse-process.js';
import {
  activeSessions,
  eventually,
  issueToken,
  liveHome,
  pairWithCode,
  postWebhook,
  requestTicket,
  startLiveGateway,
  ticketFor,
} from '../../test-support/live-gateway.js';
import type { LiveGateway } from '../../test-support/live-gateway.js';
import { connectOk, connectWs } from '../../test-support/ws-client.js';
import { ask, openSession, within } from '../../test-support/ws-session.js';

/*
 * Session lifetime on the built gateway, ended from outside the gateway's process: a revocation
 * written by `gatehouse token revoke`, `gatehouse sessions kill`, the idle timer, token expiry.
 * The echo provider answers; these tests are about who closes the socket and with which code.
 */

const cli = useBuiltCli();

async function gateway(extra?: string): Promise<LiveGateway> {
  const home = cli.adopt(liveHome(extra === undefined ? {} : { extra }));
  return startLiveGateway(home);
}

describe('web sessions on the built gateway', { timeout: 60_000 }, () => {
  // The issue allows 2 s (a 1 s refresh plus the close); 3 s leaves room for a loaded machine.
  it('`token revoke` in another process closes the live session of that token with 4001 in under 3 s; the token is then refused with AUTH_TOKEN_REVOKED', async () => {
    const live = await gateway();
    const revokedToken = await issueToken(live, 'channels:web,channels:api');
    const keptToken = await issueToken(live, 'channels:web', '24h', 'user:bob');
    const doomed = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, revokedToken.token)}`,
    );
    const kept = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, keptToken.token)}`,
    );
    expect((await postWebhook(live.url, revokedToken.token)).status).toBe(200);

    // The revocation is written somewhere between the CLI's spawn and its exit: the close comes
    // at most `fromSpawn` and at least `fromExit` after it (typically ~1 s, the refresh interval).
    const spawnedAt = Date.now();
    const closedAt = doomed.client.closed.then(() => Date.now());
    const revoke = await live.cli(['token', 'revoke', revokedToken.jti]);
    const exitedAt = Date.now();
    expect(revoke.code).toBe(0);
    const closed = await within(doomed.client.closed, 5000, 'the 4001 close');
    const fromExit = Math.max((await closedAt) - exitedAt, 0);
    const fromSpawn = (await closedAt) - spawnedAt;
    expect(closed).toEqual({ code: 4001, reason: 'token revoked' });
    expect(
      fromExit,
      `closed ${fromExit} ms after revoke exited, ${fromSpawn} ms after spawn`,
    ).toBeLessThan(3000);

    for (const refused of [
      await postWebhook(live.url, revokedToken.token),
      await requestTicket(live.url, revokedToken.token),
    ]) {
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('AUTH_TOKEN_REVOKED');
    }
    const upgrade = await connectWs(`${live.wsUrl}/ws`, {
      headers: { authorization: `Bearer ${revokedToken.token}` },
    });
    expect(upgrade).toMatchObject({ ok: false, status: 401 });

    // Only the revoked token's sessions end.
    expect((await ask(kept.client, 'k1', 'still here')).done.response).toBe('echo: still here');
  });

  // `tokens revoke` edits gateway.paired_tokens; the gateway re-reads the file every 2 s.
  it('`tokens revoke` of a paired token closes its live session with 4001 and spends a ticket issued before it for nothing', async () => {
    const live = await gateway();
    const paired = await pairWithCode(live.url, await live.pairingCode());
    const other = await issueToken(live, 'channels:web');
    const doomed = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, paired)}`,
    );
    const kept = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, other.token)}`,
    );
    const earlyTicket = await ticketFor(live.url, paired);
    expect((await ask(doomed.client, 'p1', 'before')).done.response).toBe('echo: before');

    const revoke = await live.cli(['tokens', 'revoke', hashPairedToken(paired).slice(0, 12)]);
    expect(revoke.code).toBe(0);
    expect(await within(doomed.client.closed, 8000, 'the 4001 close')).toEqual({
      code: 4001,
      reason: 'token revoked',
    });

    const late = await connectWs(`${live.wsUrl}/ws?ticket=${earlyTicket}`);
    expect(late).toMatchObject({ ok: false, status: 401 });
    expect(late.ok ? undefined : JSON.parse(late.body)).toMatchObject({
      code: 'AUTH_TOKEN_REVOKED',
    });
    for (const refused of [
      await postWebhook(live.url, paired),
      await requestTicket(live.url, paired),
    ]) {
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('AUTH_INVALID_TOKEN');
    }
    expect((await ask(kept.client, 'k1', 'still here')).done.response).toBe('echo: still here');
  });

  it('closes a session with 4001 when its token expires', async () => {
    const live = await gateway();
    const { token } = await issueToken(live, 'channels:web', '2s');
    // Connect right away; the ticket and upgrade succeed whether or not the 2 s have passed yet
    // (the 60 s leeway), and the session's expiry timer ends it at `exp` either way.
    // Not openSession: the session may close before or after sending `ready`.
    const client = await connectOk(`${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`);
    expect(await within(client.closed, 10_000, 'the expiry close')).toEqual({
      code: 4001,
      reason: 'token expired',
    });
  });

  it('`sessions list` shows the live session and `sessions kill` closes it with 4002; gatehouse_active_sessions goes 1 → 0', async () => {
    const live = await gateway();
    const { token } = await issueToken(live, 'channels:web');
    expect(await activeSessions(live.url)).toBe(0);
    const { client, sessionId } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );
    await eventually(async () => (await activeSessions(live.url)) === 1, 'active sessions = 1');

    const listed = await live.cli(['sessions', 'list']);
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(sessionId));
    expect(row?.split('\t').slice(0, 3)).toEqual([sessionId, 'jwt:user:alice', 'default']);
    expect(listed.stdout).not.toContain(token);

    const killed = await live.cli(['sessions', 'kill', sessionId]);
    expect(killed).toMatchObject({ code: 0, stdout: `Session ${sessionId} closed.\n` });
    expect(await within(client.closed, 5000, 'the kill close')).toMatchObject({ code: 4002 });
    await eventually(async () => (await activeSessions(live.url)) === 0, 'active sessions = 0');
    expect((await live.cli(['sessions', 'list'])).stdout).toBe('No live sessions.\n');

    const again = await live.cli(['sessions', 'kill', sessionId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('404');
  });

  it('closes a quiet session with 4000 after idle_timeout_secs', async () => {
    const live = await gateway('[channels_config.web]\nidle_timeout_secs = 1');
    const { token } = await issueToken(live, 'channels:web');
    const { client } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );
    expect(await within(client.closed, 5000, 'the idle close')).toEqual({
      code: 4000,
      reason: 'idle timeout',
    });
  });

  it('answers malformed frames with error frames and keeps the session open', async () => {
    const live = await gateway();
    const { token } = await issueToken(live, 'channels:web');
    const { client } = await openSession(
      `${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`,
    );

    const cases: Array<[string, Record<string, unknown>]> = [
      ['not json', { type: 'error', code: 'INVALID_JSON' }],
      ['{"type":"nope"}', { type: 'error', code: 'INVALID_BODY' }],
      ['{"type":"message","text":"no id"}', { type: 'error', code: 'INVALID_BODY' }],
      ['{"type":"message","id":"x1"}', { type: 'error', id: 'x1', code: 'INVALID_BODY' }],
    ];
    for (const [raw, expected] of cases) {
      client.send(raw);
      const frame = await within(client.next(), 5000, `the answer to ${raw}`);
      expect(frame).toMatchObject(expected);
      expect(frame.message).toEqual(expect.any(String));
    }
    expect((await ask(client, 'ok1', 'still fine')).done.response).toBe('echo: still fine');
  });
});
