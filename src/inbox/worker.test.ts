import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWhatsAppAdapter } from '../channels/whatsapp/index.js';
import type { WhatsAppConfig } from '../config/schema.js';
import type { DispatchRequest, DispatchResult } from '../core/types.js';
import { GatewayError } from '../errors.js';
import {
  recordingHealth,
  recordingObserver,
  silentLogger,
} from '../test-support/channel-test-deps.js';
import { startFakeGraphApi, type FakeGraphApi } from '../test-support/fake-graph-api.js';
import { inboxMessage } from '../test-support/inbox-contract.js';
import { FAILURE_REPLY } from './process-item.js';
import { openSqliteInbox } from './sqlite-inbox.js';
import type { Inbox } from './types.js';
import { createInboxWorker, type InboxWorker } from './worker.js';

describe('inbox worker', () => {
  let dir: string;
  let fake: FakeGraphApi;
  let inbox: Inbox;
  let config: WhatsAppConfig;
  const workers: InboxWorker[] = [];
  const calls: DispatchRequest[] = [];
  let answer: (request: DispatchRequest) => Promise<DispatchResult>;
  const observer = recordingObserver();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-worker-'));
    fake = await startFakeGraphApi();
    inbox = openSqliteInbox({ path: path.join(dir, 'inbox.db') });
    config = {
      access_token: 'token',
      phone_number_id: '123456789',
      allowed_numbers: ['*'],
      api_base_url: fake.url,
      api_version: 'v21.0',
      on_unknown_outcome: 'resend' as const,
    };
    calls.length = 0;
    observer.events.length = 0;
    answer = async (request) => ({
      response: `reply to ${request.message.text}`,
      model: 'echo',
      duplicate: false,
    });
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop(5000);
    await inbox.close();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = async (
    overrides: {
      maxAttempts?: number;
      concurrency?: number;
      leaseMs?: number;
      maxAgeMs?: number;
    } = {},
  ) => {
    const worker = createInboxWorker({
      inbox,
      adapters: [createWhatsAppAdapter({ config })],
      dispatch: (request) => {
        calls.push(request);
        return answer(request);
      },
      observer,
      health: recordingHealth(),
      logger: silentLogger(),
      concurrency: overrides.concurrency ?? 4,
      maxAttempts: overrides.maxAttempts ?? 5,
      retryBaseMs: 5,
      retryMaxMs: 20,
      leaseMs: overrides.leaseMs ?? 30_000,
      maxAgeMs: overrides.maxAgeMs ?? 3_600_000,
    });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  const settled = async (expected: Partial<Record<'done' | 'dead', number>>) => {
    await vi.waitFor(
      async () => {
        const counts = await inbox.counts();
        expect(counts).toMatchObject({ pending: 0, processing: 0, ...expected });
      },
      { timeout: 15_000, interval: 20 },
    );
  };

  it('dispatches as the channel principal with a message-scoped idempotency key', async () => {
    await startWorker();
    await inbox.enqueue([inboxMessage('wamid.1', { text: 'hello' })]);
    await settled({ done: 1 });
    expect(fake.sent().map((s) => [s.to, s.body])).toEqual([['15550001', 'reply to hello']]);
    expect(calls[0]?.principal).toEqual({
      id: 'channel:whatsapp:+15550001',
      kind: 'channel',
      scopes: new Set(['channels:whatsapp']),
    });
    expect(calls[0]?.idempotencyKey).toBe('whatsapp:wamid.1');
    expect(observer.events).toContainEqual({
      type: 'ChannelMessage',
      channel: 'whatsapp',
      direction: 'outbound',
    });
  });

  it('answers a redelivered event only once', async () => {
    await startWorker();
    await inbox.enqueue([inboxMessage('wamid.dup')]);
    await settled({ done: 1 });
    expect(await inbox.enqueue([inboxMessage('wamid.dup')])).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    await inbox.enqueue([inboxMessage('wamid.next')]);
    await settled({ done: 2 });
    expect(calls.map((c) => c.message.messageId)).toEqual(['wamid.dup', 'wamid.next']);
    expect(fake.sent()).toHaveLength(2);
  });

  it('retries after a 429 and delivers the reply once without asking the agent again', async () => {
    fake.failNext(1, { status: 429, retryAfterSecs: 0 });
    await startWorker();
    await inbox.enqueue([inboxMessage('wamid.rl')]);
    await settled({ done: 1 });
    expect(fake.requests).toHaveLength(2);
    expect(fake.sent()[1]?.body).toBe('reply to text wamid.rl');
    expect(calls).toHaveLength(1);
  });

  it('fails after maxAttempts, counts it and attempts an error reply', async () => {
    fake.failNext(2, { status: 500 });
    await startWorker({ maxAttempts: 2 });
    await inbox.enqueue([inboxMessage('wamid.bad')]);
    await settled({ dead: 1 });
    await fake.waitForRequests(3);
    expect(fake.sent()[2]?.body).toBe(FAILURE_REPLY);
    expect(observer.events).toContainEqual({
      type: 'ChannelMessage',
      channel: 'whatsapp',
      direction: 'failed',
    });
    expect(observer.events.some((e) => e.type === 'Error')).toBe(true);
  });

  it('fails at once on a non-retryable dispatch error and still tells the sender', async () => {
    answer = async () => {
      throw new GatewayError('CONTENT_BLOCKED');
    };
    await startWorker();
    await inbox.enqueue([inboxMessage('wamid.blocked')]);
    await settled({ dead: 1 });
    await fake.waitForRequests(1);
    expect(fake.sent().map((s) => s.body)).toEqual([FAILURE_REPLY]);
    expect(calls).toHaveLength(1);
  });

  it('keeps per-conversation order while other conversations proceed', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    answer = async (request) => {
      if (request.message.messageId === 'a1') await gate;
      return { response: `re ${request.message.messageId}`, model: 'echo', duplicate: false };
    };
    await startWorker();
    await inbox.enqueue([
      inboxMessage('a1'),
      inboxMessage('a2'),
      inboxMessage('b1', { conversationId: 'whatsapp:2', senderId: '+2', replyTarget: '2' }),
    ]);
    await vi.waitFor(() => expect(fake.sent().map((s) => s.body)).toEqual(['re b1']), {
      timeout: 10_000,
    });
    expect(calls.map((c) => c.message.messageId)).toEqual(['a1', 'b1']);
    release();
    await settled({ done: 3 });
    expect(fake.sent().map((s) => s.body)).toEqual(['re b1', 're a1', 're a2']);
  });

  it('after a crash mid-processing, a new worker delivers the reply exactly once when the lease expires', async () => {
    await inbox.enqueue([inboxMessage('wamid.crash')]);
    expect(await inbox.claim(1, 200)).toHaveLength(1);
    await inbox.close();
    inbox = openSqliteInbox({ path: path.join(dir, 'inbox.db') });
    await startWorker();
    await settled({ done: 1 });
    expect(fake.sent().map((s) => s.body)).toEqual(['reply to text wamid.crash']);
    expect(calls).toHaveLength(1);
  });

  it('after a crash between the agent call and delivery, redelivers the saved reply', async () => {
    await inbox.enqueue([inboxMessage('wamid.saved')]);
    const [item] = await inbox.claim(1, 200);
    await inbox.saveReply(item!, ['the saved reply']);
    await inbox.close();
    inbox = openSqliteInbox({ path: path.join(dir, 'inbox.db') });
    await startWorker();
    await settled({ done: 1 });
    expect(fake.sent().map((s) => s.body)).toEqual(['the saved reply']);
    expect(calls).toHaveLength(0);
  });

  it('renews the lease of a long turn, so another consumer never takes the item meanwhile', async () => {
    // The turn outlasts the lease several times over. The lease leaves room for a renewal that
    // a busy machine delays by a few hundred milliseconds (renewals come every third of it).
    answer = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return { response: `late reply to ${request.message.text}`, model: 'echo', duplicate: false };
    };
    await startWorker({ leaseMs: 450 });
    await inbox.enqueue([inboxMessage('wamid.long')]);
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    const other = openSqliteInbox({ path: path.join(dir, 'inbox.db') });
    try {
      for (let probe = 0; probe < 5; probe += 1) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await other.claim(1, 450)).toEqual([]);
      }
    } finally {
      await other.close();
    }
    await settled({ done: 1 });
    expect(fake.sent().map((s) => s.body)).toEqual(['late reply to text wamid.long']);
  });

  it('stop waits for in-flight work to finish', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    answer = async () => {
      await gate;
      return { response: 'late', model: 'echo', duplicate: false };
    };
    const worker = await startWorker();
    await inbox.enqueue([inboxMessage('wamid.slow')]);
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    const stopped = worker.stop(10_000);
    release();
    await stopped;
    expect(await inbox.counts()).toMatchObject({ done: 1, processing: 0 });
  });

  it('hands unfinished work back when the stop deadline passes', async () => {
    answer = (request) =>
      new Promise((_resolve, reject) => {
        request.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const worker = await startWorker();
    await inbox.enqueue([inboxMessage('wamid.stuck')]);
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    await worker.stop(50);
    expect(await inbox.counts()).toMatchObject({ pending: 1, processing: 0, dead: 0 });
  });
});
