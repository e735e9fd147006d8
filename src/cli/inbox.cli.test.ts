import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REPLY } from '../inbox/process-item.js';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import type { InboxCounts } from '../inbox/types.js';
import { whatsappWebhook } from '../test-support/channel-payloads.js';
import {
  startChannelFakes,
  startChannelGateway,
  whatsappSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';
import { buildCliIfStale, makeTempHome, runCli } from '../test-support/gatehouse-process.js';

const WAIT_MS = 15_000;

let fakes: ChannelFakes;
let gateway: ChannelGateway | undefined;

beforeAll(async () => {
  buildCliIfStale();
  fakes = await startChannelFakes();
}, 180_000);
afterAll(async () => {
  await fakes.close();
});
afterEach(async () => {
  await gateway?.cleanup();
  gateway = undefined;
});

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.rawBody.includes(marker);

async function send(target: ChannelGateway, from: string, id: string): Promise<void> {
  const body = JSON.stringify(whatsappWebhook([[{ from, id, text: `text of ${id}` }]]));
  expect((await target.postWhatsApp(body)).status).toBe(200);
}

async function readCounts(home: string): Promise<InboxCounts> {
  const inbox = openSqliteInbox({ path: join(home, 'inbox.db') });
  try {
    return await inbox.counts();
  } finally {
    await inbox.close();
  }
}

describe('gatehouse inbox (spawned CLI) against a running gateway', () => {
  it('prints pending, processing, dead, done and unknown counts; lists and retries a dead letter while it runs', async () => {
    gateway = await startChannelGateway({
      config: {
        channels_config: { whatsapp: whatsappSection(fakes) },
        inbox: { max_attempts: 2 },
      },
    });
    const running = gateway;

    // Permanently failing delivery: two 500s use up max_attempts, then the error reply goes out.
    fakes.graph.failNext(2, { status: 500 });
    await send(running, '15550000001', 'wamid.cli.failed');
    await fakes.graph.waitForRequests(2, repliesTo('wamid.cli.failed'), WAIT_MS);
    await fakes.graph.waitForRequests(1, repliesTo(FAILURE_REPLY.slice(0, 5)), WAIT_MS);
    await expect
      .poll(() => readCounts(running.home), { timeout: WAIT_MS })
      .toMatchObject({
        dead: 1,
      });

    // Throttled for an hour: stays pending.
    fakes.graph.failNext(1, { status: 429, retryAfterSecs: 3600 });
    await send(running, '15550000002', 'wamid.cli.pending');
    await fakes.graph.waitForRequests(1, repliesTo('wamid.cli.pending'), WAIT_MS);

    await send(running, '15550000003', 'wamid.cli.done');
    await fakes.graph.waitForRequests(1, repliesTo('wamid.cli.done'), WAIT_MS);
    const expected = { pending: 1, processing: 0, dead: 1, done: 1, unknown: 0 };
    await expect.poll(() => readCounts(running.home), { timeout: WAIT_MS }).toEqual(expected);

    const env = { PATH: process.env.PATH ?? '', HOME: running.home, GATEHOUSE_HOME: running.home };
    const text = await runCli(['inbox', '--config', running.configPath], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      [
        `inbox ${join(running.home, 'inbox.db')}`,
        'pending    1',
        'processing 0',
        'dead       1',
        'done       1',
        'unknown    0',
        '',
      ].join('\n'),
    );
    const json = await runCli(['inbox', '-c', running.configPath, '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ path: join(running.home, 'inbox.db'), ...expected });

    const listed = await runCli(['inbox', 'list', '-c', running.configPath, '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.status)).toEqual(['done', 'pending', 'dead']);
    const dead = rows[2]!;
    expect(dead).toMatchObject({
      channel: 'whatsapp',
      sender: '+15550000001',
      status: 'dead',
      attempts: 2,
      reason: 'exhausted',
      last_error: 'WhatsApp send failed with HTTP 500 (error 1)',
    });
    expect(typeof dead.received_at).toBe('string');
    // Message text stays out of listings unless asked for.
    expect(listed.stdout).not.toContain('text of wamid');
    const shown = await runCli(
      ['inbox', 'list', '-c', running.configPath, '--status', 'dead', '--show-text'],
      env,
    );
    expect(shown.stdout).toContain('text: "text of wamid.cli.failed"');
    expect(shown.stdout.split('\n')[1]).toMatch(
      /^\d+\twhatsapp\t\+15550000001\t.*\t2\tdead\texhausted\tWhatsApp send failed/,
    );

    // Back to pending with attempts reset: the running worker delivers it once.
    const retried = await runCli(
      ['inbox', 'retry', String(dead.id), '-c', running.configPath],
      env,
    );
    expect(retried).toMatchObject({
      code: 0,
      stdout: `inbox item ${String(dead.id)} is pending again\n`,
    });
    await fakes.graph.waitForRequests(3, repliesTo('wamid.cli.failed'), WAIT_MS);
    await expect
      .poll(() => readCounts(running.home), { timeout: WAIT_MS })
      .toMatchObject({ dead: 0, done: 2 });
    const again = await runCli(['inbox', 'retry', String(dead.id), '-c', running.configPath], env);
    expect(again).toMatchObject({ code: 1, stderr: `no dead inbox item ${String(dead.id)}\n` });
  });

  it('prints zero counts when no inbox exists yet, without creating one', async () => {
    const home = makeTempHome('');
    try {
      const result = await runCli(['inbox', '--config', home.configPath, '--json'], home.env);
      expect(result.code).toBe(0);
      const file = join(home.dir, 'inbox.db');
      expect(JSON.parse(result.stdout)).toEqual({
        path: file,
        pending: 0,
        processing: 0,
        dead: 0,
        done: 0,
        unknown: 0,
      });
      expect(existsSync(file)).toBe(false);
    } finally {
      home.cleanup();
    }
  });
});
