import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TelegramConfig } from '../../config/schema.js';
import type { InboundMessage } from '../../core/types.js';
import { telegramUpdate } from '../../test-support/channel-payloads.js';
import {
  startFakeTelegramApi,
  type FakeTelegramApi,
} from '../../test-support/fake-telegram-api.js';
import { createTelegramAdapter } from './adapter.js';
import { TELEGRAM_OFFSET_CURSOR, type CursorStore } from './poll.js';

const TOKEN = '777:poll-token';

function memoryCursors(): CursorStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    getCursor: async (name) => values.get(name),
    setCursor: async (name, value) => {
      values.set(name, value);
    },
  };
}

describe('Telegram polling', () => {
  let fake: FakeTelegramApi;
  let config: TelegramConfig;
  const running: Array<{ abort: AbortController; done: Promise<void> }> = [];
  beforeEach(async () => {
    fake = await startFakeTelegramApi({ botToken: TOKEN });
    config = {
      bot_token: TOKEN,
      allowed_users: [1],
      mode: 'polling',
      poll_timeout_secs: 1,
      on_unknown_outcome: 'resend' as const,
      api_base_url: fake.url,
    };
  });
  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.abort.abort();
      await run.done;
    }
    await fake.close();
  });

  const startPoll = (
    cursors: CursorStore,
    sink: (messages: InboundMessage[], dropped: number) => Promise<void>,
  ) => {
    const adapter = createTelegramAdapter({
      config,
      cursors,
      pollBackoffBaseMs: 10,
      pollBackoffMaxMs: 50,
    });
    const abort = new AbortController();
    const done = adapter.poll!(sink, abort.signal);
    const run = { abort, done };
    running.push(run);
    return run;
  };

  it('feeds updates to the sink and persists offset = last update_id + 1 afterwards', async () => {
    const cursors = memoryCursors();
    const received: InboundMessage[] = [];
    let droppedTotal = 0;
    fake.pushUpdate(telegramUpdate({ updateId: 10, fromId: 1, text: 'a' }));
    fake.pushUpdate(telegramUpdate({ updateId: 11, fromId: 2, text: 'stranger' }));
    const offsetSeenBySink: Array<string | undefined> = [];
    startPoll(cursors, async (messages, dropped) => {
      offsetSeenBySink.push(cursors.values.get(TELEGRAM_OFFSET_CURSOR));
      received.push(...messages);
      droppedTotal += dropped;
    });
    await vi.waitFor(() => expect(cursors.values.get(TELEGRAM_OFFSET_CURSOR)).toBe('12'), {
      timeout: 10_000,
    });
    expect(received.map((m) => m.text)).toEqual(['a']);
    expect(droppedTotal).toBe(1);
    // The offset must not move before the sink has accepted the batch.
    expect(offsetSeenBySink).toEqual([undefined]);
  });

  it('resumes from the persisted offset after a restart', async () => {
    const cursors = memoryCursors();
    await cursors.setCursor(TELEGRAM_OFFSET_CURSOR, '21');
    fake.pushUpdate(telegramUpdate({ updateId: 20, fromId: 1, text: 'old' }));
    fake.pushUpdate(telegramUpdate({ updateId: 21, fromId: 1, text: 'new' }));
    const received: string[] = [];
    startPoll(cursors, async (messages) => {
      received.push(...messages.map((m) => m.text));
    });
    await vi.waitFor(() => expect(received).toEqual(['new']), { timeout: 10_000 });
    expect(fake.offsets()[0]).toBe(21);
  });

  it('keeps the offset and retries the batch when the sink fails', async () => {
    const cursors = memoryCursors();
    fake.pushUpdate(telegramUpdate({ updateId: 30, fromId: 1, text: 'x' }));
    let calls = 0;
    startPoll(cursors, async () => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
    });
    await vi.waitFor(() => expect(cursors.values.get(TELEGRAM_OFFSET_CURSOR)).toBe('31'), {
      timeout: 10_000,
    });
    expect(calls).toBe(2);
  });

  it('backs off after an API error and recovers', async () => {
    const cursors = memoryCursors();
    fake.failNext(2, { status: 500 }, 'getUpdates');
    fake.pushUpdate(telegramUpdate({ updateId: 40, fromId: 1, text: 'after errors' }));
    const received: string[] = [];
    startPoll(cursors, async (messages) => {
      received.push(...messages.map((m) => m.text));
    });
    await vi.waitFor(() => expect(received).toEqual(['after errors']), { timeout: 10_000 });
    expect(fake.offsets().length).toBeGreaterThanOrEqual(3);
  });

  it('stops when the signal aborts', async () => {
    const run = startPoll(memoryCursors(), async () => undefined);
    await fake.waitForRequests(1);
    run.abort.abort();
    await expect(run.done).resolves.toBeUndefined();
  });
});
