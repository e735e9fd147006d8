import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import { telegramUpdate } from '../test-support/channel-payloads.js';
import {
  startChannelFakes,
  startChannelGateway,
  telegramSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';
import { TELEGRAM_OFFSET_CURSOR } from './telegram/poll.js';

const WAIT_MS = 15_000;
const USER = 111_000_111;
const STRANGER = 222_000_222;

// A fake per test: the fake keeps every pushed update, and a fresh gateway polls from offset 0.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pollingGateway(
  overrides: Record<string, unknown> = {},
): Promise<{ fakes: ChannelFakes; gateway: ChannelGateway }> {
  const fakes = await startChannelFakes();
  cleanups.push(() => fakes.close());
  const gateway = await startChannelGateway({
    config: {
      channels_config: {
        telegram: telegramSection(fakes, { mode: 'polling', secret_token: null, ...overrides }),
      },
    },
  });
  cleanups.push(() => gateway.cleanup());
  return { fakes, gateway };
}

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.path.endsWith('/sendMessage') && request.rawBody.includes(marker);

const isGetUpdates = (request: RecordedRequest) => request.path.endsWith('/getUpdates');

describe('Telegram polling mode through the gateway', () => {
  it('long-polls getUpdates, answers with sendMessage and advances the offset', async () => {
    const { fakes } = await pollingGateway();
    fakes.telegram.pushUpdate(
      telegramUpdate({ updateId: 500, fromId: USER, text: 'polled hi', messageId: 77 }),
    );
    const [sent] = await fakes.telegram.waitForRequests(1, repliesTo('polled hi'), WAIT_MS);
    expect(sent?.body).toEqual({
      chat_id: USER,
      text: 'echo: polled hi',
      reply_parameters: { message_id: 77, allow_sending_without_reply: true },
      parse_mode: 'HTML',
    });
    await fakes.telegram.waitForRequests(
      1,
      (request) => isGetUpdates(request) && (request.body as { offset?: number }).offset === 501,
      WAIT_MS,
    );
    expect(fakes.telegram.offsets()[0]).toBe(0);
  });

  it('answers every update of a multi-update getUpdates batch, in chat order', async () => {
    const fakes = await startChannelFakes();
    cleanups.push(() => fakes.close());
    // Queued before the gateway starts, so its first getUpdates returns all of them at once.
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 20, fromId: USER, text: 'batch one' }));
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 21, fromId: 333, text: 'batch other' }));
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 22, fromId: USER, text: 'batch two' }));
    const gateway = await startChannelGateway({
      config: {
        channels_config: {
          telegram: telegramSection(fakes, { mode: 'polling', secret_token: null }),
        },
      },
    });
    cleanups.push(() => gateway.cleanup());
    const sent = await fakes.telegram.waitForRequests(3, repliesTo('batch '), WAIT_MS);
    const toUser = sent.filter((request) => (request.body as { chat_id: number }).chat_id === USER);
    expect(toUser.map((request) => (request.body as { text: string }).text)).toEqual([
      'echo: batch one',
      'echo: batch two',
    ]);
    expect(await gateway.channelMessages('telegram', 'inbound')).toBe(3);
  });

  it('takes no webhooks: POST /telegram answers 404', async () => {
    const { gateway } = await pollingGateway();
    const answer = await gateway.postTelegram(
      JSON.stringify(telegramUpdate({ updateId: 1, fromId: USER, text: 'x' })),
      'anything',
    );
    expect(answer.status).toBe(404);
  });

  it('allows by numeric from.id, never by username, and counts the drop', async () => {
    const { fakes, gateway } = await pollingGateway({ allowed_users: [USER] });
    fakes.telegram.pushUpdate(
      telegramUpdate({ updateId: 10, fromId: STRANGER, username: String(USER), text: 'impostor' }),
    );
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 11, fromId: USER, text: 'real user' }));
    await fakes.telegram.waitForRequests(1, repliesTo('real user'), WAIT_MS);
    expect(fakes.telegram.requests.filter(repliesTo('impostor'))).toHaveLength(0);
    expect(await gateway.channelMessages('telegram', 'dropped')).toBe(1);
  });

  it('resumes from the persisted offset after a restart', async () => {
    const { fakes, gateway } = await pollingGateway();
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 40, fromId: USER, text: 'before' }));
    await fakes.telegram.waitForRequests(1, repliesTo('before'), WAIT_MS);
    let seen = 0;
    await gateway.restart(async () => {
      seen = fakes.telegram.requests.length;
      const inbox = openSqliteInbox({ path: join(gateway.home, 'inbox.db') });
      expect(await inbox.getCursor(TELEGRAM_OFFSET_CURSOR)).toBe('41');
      await inbox.close();
    });
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 41, fromId: USER, text: 'after' }));
    await fakes.telegram.waitForRequests(1, repliesTo('after'), WAIT_MS);
    const offsetsAfterRestart = fakes.telegram.requests
      .slice(seen)
      .filter(isGetUpdates)
      .map((request) => (request.body as { offset: number }).offset);
    expect(offsetsAfterRestart[0]).toBe(41);
    expect(fakes.telegram.requests.filter(repliesTo('before'))).toHaveLength(1);
  });

  it('drops updates Telegram resends after a crash lost the offset: one reply only', async () => {
    const { fakes, gateway } = await pollingGateway();
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 60, fromId: USER, text: 'resent' }));
    await fakes.telegram.waitForRequests(1, repliesTo('resent'), WAIT_MS);
    // As if the process died after the inbox write but before the offset was saved.
    let seen = 0;
    await gateway.restart(async () => {
      seen = fakes.telegram.requests.length;
      const inbox = openSqliteInbox({ path: join(gateway.home, 'inbox.db') });
      await inbox.setCursor(TELEGRAM_OFFSET_CURSOR, '0');
      await inbox.close();
    });
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 61, fromId: USER, text: 'next one' }));
    await fakes.telegram.waitForRequests(1, repliesTo('next one'), WAIT_MS);
    // The restarted gateway really did receive update 60 again (offset 0) and dropped it.
    expect(fakes.telegram.requests.slice(seen).filter(isGetUpdates)[0]?.body).toMatchObject({
      offset: 0,
    });
    expect(await gateway.channelMessages('telegram', 'duplicate')).toBe(1);
    expect(fakes.telegram.requests.filter(repliesTo('resent'))).toHaveLength(1);
  });

  it('retries a 429 on sendMessage and sends the reply exactly once', async () => {
    const { fakes } = await pollingGateway();
    fakes.telegram.failNext(1, { status: 429, retryAfterSecs: 1 }, 'sendMessage');
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 80, fromId: USER, text: 'limited' }));
    await fakes.telegram.waitForRequests(2, repliesTo('limited'), WAIT_MS);
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 81, fromId: USER, text: 'barrier' }));
    await fakes.telegram.waitForRequests(1, repliesTo('barrier'), WAIT_MS);
    expect(fakes.telegram.requests.filter(repliesTo('limited'))).toHaveLength(2);
  });
});
