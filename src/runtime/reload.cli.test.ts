import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBuiltCli, type TempHome } from '../test-support/gatehouse-process.js';
import {
  eventually,
  issueToken,
  postWebhook,
  startLiveGateway,
  ticketFor,
} from '../test-support/live-gateway.js';
import { connectWs } from '../test-support/ws-client.js';
import { ask, openSession, within } from '../test-support/ws-session.js';

/*
 * A running gateway re-reads its config on `gatehouse reload` and on SIGHUP: hot keys change
 * behaviour at once while an open WebSocket stays connected; restart-only keys are named and
 * kept; an invalid file is refused and the old config keeps serving.
 */

const ORIGIN = 'https://chat.example.com';
const cli = useBuiltCli();
let home: TempHome | undefined;

function config(options: { rate: number; origins: string[]; level: string; extra?: string }) {
  return [
    '[gateway]',
    'host = "127.0.0.1"',
    'port = 0',
    `webhook_rate_limit_per_minute = ${options.rate}`,
    options.extra ?? '',
    '[observability]',
    `log_level = "${options.level}"`,
    '[channels_config.web]',
    `allowed_origins = ${JSON.stringify(options.origins)}`,
    '',
  ].join('\n');
}

describe('reload without restart', { timeout: 60_000 }, () => {
  it('gatehouse reload applies hot keys, keeps restart-only ones and refuses an invalid file', async () => {
    home = cli.tempHome(config({ rate: 0, origins: [], level: 'warn' }));
    const live = await startLiveGateway(home);
    const { token } = await issueToken(live, 'channels:web channels:api');
    const session = await openSession(`${live.wsUrl}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    for (let i = 0; i < 3; i += 1) expect((await postWebhook(live.url, token)).status).toBe(200);
    const before = await connectWs(`${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`, {
      origin: ORIGIN,
    });
    expect(before).toMatchObject({ ok: false, status: 403 });

    writeFileSync(
      home.configPath,
      config({
        rate: 1,
        origins: [ORIGIN],
        level: 'warn',
        extra: 'request_timeout_secs = 45',
      }).replace('port = 0', 'port = 1'),
    );
    const reloaded = await live.cli(['reload']);
    expect(reloaded.code).toBe(0);
    expect(reloaded.stdout.trimEnd().split('\n')).toEqual([
      'applied: channels_config.web.allowed_origins',
      'applied: gateway.webhook_rate_limit_per_minute',
      'needs a restart (running value kept): gateway.port',
      'needs a restart (running value kept): gateway.request_timeout_secs',
    ]);

    // The new limit: one request per minute per client.
    expect((await postWebhook(live.url, token)).status).toBe(200);
    expect((await postWebhook(live.url, token)).status).toBe(429);
    // The new origin is allowed on the next upgrade.
    const after = await connectWs(`${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`, {
      origin: ORIGIN,
    });
    expect(after.ok).toBe(true);
    if (after.ok) after.client.ws.close();
    // The WebSocket opened before both reloads never reconnected and still answers.
    expect((await ask(session.client, 'm1', 'still here')).done.response).toBe('echo: still here');

    const valid = readFileSync(home.configPath, 'utf8');
    writeFileSync(
      home.configPath,
      valid.replace('webhook_rate_limit_per_minute = 1', 'webhook_rate_limit_per_minute = inf'),
    );
    const refused = await live.cli(['reload']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'config error: gateway.webhook_rate_limit_per_minute = inf — expected an integer',
    );
    expect(refused.stderr).toContain('the gateway keeps running with its previous config');
    expect((await fetch(`${live.url}/health`)).status).toBe(200);
    expect((await postWebhook(live.url, token)).status).toBe(429);
    expect((await ask(session.client, 'm2', 'and here')).done.response).toBe('echo: and here');
  });

  it('SIGHUP re-reads the config instead of ending the process', async () => {
    home = cli.tempHome(config({ rate: 0, origins: [], level: 'info' }));
    const live = await startLiveGateway(home);
    // Signal handlers are installed once start-up has logged its last line.
    await within(live.process.waitFor(/"msg":"gateway started"/), 10_000, 'start-up').catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\n${live.process.stdout()}\n${live.process.stderr()}`);
      },
    );
    writeFileSync(home.configPath, config({ rate: 0, origins: [], level: 'debug' }));
    live.process.child.kill('SIGHUP');
    await within(
      live.process.waitFor(/"applied":\["observability.log_level"\],"msg":"config reloaded"/),
      10_000,
      'the reload',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${live.process.stdout()}\n${live.process.stderr()}`);
    });
    expect(live.process.child.exitCode).toBeNull();
    expect((await fetch(`${live.url}/health`)).status).toBe(200);
    // A refused request is logged at debug: it appears now, so the new level took effect.
    expect(live.process.stdout()).not.toContain('"msg":"request rejected"');
    expect((await fetch(`${live.url}/webhook`, { method: 'POST' })).status).toBe(401);
    await eventually(
      async () => live.process.stdout().includes('"msg":"request rejected"'),
      'a debug line',
    );
  });

  it('SIGHUP reopens a rotated audit log, also when the new config file is refused', async () => {
    const audit = [
      '[[pipeline.inbound]]',
      'name = "audit"',
      'destination = "audit/audit.jsonl"',
      '[[pipeline.inbound]]',
      'name = "idempotency"',
      '[[pipeline.inbound]]',
      'name = "memory"',
    ].join('\n');
    home = cli.tempHome(config({ rate: 0, origins: [], level: 'info', extra: '' }) + audit + '\n');
    const live = await startLiveGateway(home);
    await within(live.process.waitFor(/"msg":"gateway started"/), 10_000, 'start-up');
    const { token } = await issueToken(live, 'channels:api');
    const file = join(home.dir, 'audit', 'audit.jsonl');
    expect((await postWebhook(live.url, token, 'before rotation')).status).toBe(200);
    await eventually(
      async () => existsSync(file) && readFileSync(file, 'utf8') !== '',
      'audit lines',
    );
    renameSync(file, `${file}.1`);
    writeFileSync(home.configPath, 'this is = not [valid toml');
    live.process.child.kill('SIGHUP');
    await within(live.process.waitFor(/config reload refused/), 10_000, 'the refused reload');
    expect((await postWebhook(live.url, token, 'after rotation')).status).toBe(200);
    await eventually(async () => existsSync(file), 'a new audit file at the same path');
    await eventually(
      async () => readFileSync(file, 'utf8').trim().split('\n').length === 2,
      'the inbound and outbound lines of the new turn',
    );
    expect(readFileSync(`${file}.1`, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
