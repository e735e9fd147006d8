import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  slackSection,
  startChannelFakes,
  startChannelGateway,
  telegramSection,
  whatsappSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import {
  slackEventCallback,
  telegramUpdate,
  whatsappWebhook,
} from '../test-support/channel-payloads.js';
import { inboxMessage } from '../test-support/inbox-contract.js';
import { FAILURE_REPLY } from './process-item.js';
import { openSqliteInbox } from './sqlite-inbox.js';
import type { InboxListEntry } from './types.js';

/*
 * Delivery through the real gateway and the fake platform APIs: a split reply resumes at the
 * first undelivered part, a stale message is not answered after a restart, and a dead letter put
 * back with `requeue` (what `gatehouse inbox retry` does) is delivered once.
 */

const WAIT_MS = 15_000;
let fakes: ChannelFakes;
let gateway: ChannelGateway | undefined;

beforeAll(async () => {
  fakes = await startChannelFakes();
});
afterAll(async () => {
  await fakes.close();
});
beforeEach(() => {
  for (const fake of [fakes.graph, fakes.slack, fakes.telegram]) fake.requests.length = 0;
});
afterEach(async () => {
  await gateway?.cleanup();
  gateway = undefined;
});

async function eventually(condition: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function listInbox(home: string): Promise<InboxListEntry[]> {
  const inbox = openSqliteInbox({ path: join(home, 'inbox.db') });
  try {
    return await inbox.list();
  } finally {
    await inbox.close();
  }
}

type Channel = 'whatsapp' | 'slack' | 'telegram';

/** A long word list, so the split falls on spaces; the echo reply is `echo: <text>`. */
const LONG_TEXT = Array.from({ length: 1200 }, (_, n) => `word${n}`).join(' ');

const split: Record<
  Channel,
  {
    section: () => Record<string, unknown>;
    failSecondSend: () => void;
    send: (target: ChannelGateway) => Promise<{ status: number }>;
    replies: () => string[];
  }
> = {
  whatsapp: {
    section: () => whatsappSection(fakes),
    failSecondSend: () => {
      fakes.graph.passNext(1);
      fakes.graph.failNext(1, { status: 500 });
    },
    send: (target) =>
      target.postWhatsApp(
        JSON.stringify(
          whatsappWebhook([[{ from: '15550000001', id: 'wamid.long', text: LONG_TEXT }]]),
        ),
      ),
    replies: () => fakes.graph.sent().map((sent) => sent.body),
  },
  slack: {
    section: () => slackSection(fakes),
    failSecondSend: () => {
      fakes.slack.passNext(1);
      fakes.slack.failNext(1, { status: 500 });
    },
    send: (target) =>
      target.postSlack(
        JSON.stringify(slackEventCallback({ eventId: 'EvLong', user: 'U0USER1', text: LONG_TEXT })),
      ),
    replies: () => fakes.slack.posted().map((posted) => posted.text),
  },
  telegram: {
    section: () => telegramSection(fakes),
    failSecondSend: () => {
      fakes.telegram.passNext(1, 'sendMessage');
      fakes.telegram.failNext(1, { status: 500 }, 'sendMessage');
    },
    send: (target) =>
      target.postTelegram(
        JSON.stringify(telegramUpdate({ updateId: 7, fromId: 4242, text: LONG_TEXT })),
      ),
    replies: () => fakes.telegram.sentMessages().map((sent) => sent.text),
  },
};

describe('split replies', () => {
  it.each<Channel>(['whatsapp', 'slack', 'telegram'])(
    '%s: when part 2 fails once, the retry resumes at part 2 and part 1 is delivered once',
    async (channel) => {
      const driver = split[channel];
      gateway = await startChannelGateway({
        config: { channels_config: { [channel]: driver.section() } },
      });
      driver.failSecondSend();
      expect((await driver.send(gateway)).status).toBe(200);
      await eventually(async () => (await listInbox(gateway!.home))[0]?.status === 'done', 'done');
      const replies = driver.replies();
      // Part 1, part 2 refused by the platform, then part 2 again and the rest.
      expect(replies.length).toBeGreaterThanOrEqual(4);
      const [first, refused, ...after] = replies;
      expect(after[0]).toBe(refused);
      expect(replies.filter((text) => text === first)).toHaveLength(1);
      expect([first, ...after].join(' ')).toBe(`echo: ${LONG_TEXT}`);
    },
  );
});

describe('dead letters', () => {
  it('does not answer a message that went stale while the gateway was down; retry delivers it once', async () => {
    gateway = await startChannelGateway({
      config: {
        channels_config: { whatsapp: whatsappSection(fakes) },
        inbox: { max_age_secs: 1 },
      },
    });
    const home = gateway.home;
    await gateway.restart(async () => {
      // Accepted just before the gateway went down, then it stayed down for longer than max_age.
      const inbox = openSqliteInbox({ path: join(home, 'inbox.db') });
      await inbox.enqueue([inboxMessage('wamid.stale', { replyTarget: '15550000009' })]);
      await inbox.close();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    });
    await eventually(async () => (await listInbox(home))[0]?.status === 'dead', 'a dead letter');
    const [dead] = await listInbox(home);
    expect(dead).toMatchObject({ status: 'dead', reason: 'expired', attempts: 1 });
    expect(dead?.lastError).toMatch(/^not answered: \d+ s old when its turn came/);
    expect(fakes.graph.sent()).toEqual([]);
    expect(await gateway.channelMessages('whatsapp', 'expired')).toBe(1);

    const inbox = openSqliteInbox({ path: join(home, 'inbox.db') });
    expect(await inbox.requeue(dead!.id)).toBe(true);
    await inbox.close();
    await eventually(async () => (await listInbox(home))[0]?.status === 'done', 'delivery').catch(
      async (error: unknown) => {
        throw new Error(`${String(error)}: ${JSON.stringify(await listInbox(home))}`);
      },
    );
    expect(fakes.graph.sent().map((sent) => sent.body)).toEqual(['echo: text wamid.stale']);
  });

  it('moves a message whose delivery keeps failing to dead letters with the sanitized error', async () => {
    gateway = await startChannelGateway({
      config: {
        channels_config: { whatsapp: whatsappSection(fakes) },
        inbox: { max_attempts: 2 },
      },
    });
    fakes.graph.failNext(2, { status: 500 });
    const body = JSON.stringify(
      whatsappWebhook([[{ from: '15550000002', id: 'wamid.doomed', text: 'doomed' }]]),
    );
    expect((await gateway.postWhatsApp(body)).status).toBe(200);
    await eventually(async () => (await listInbox(gateway!.home))[0]?.status === 'dead', 'dead');
    const [dead] = await listInbox(gateway.home);
    expect(dead).toMatchObject({ reason: 'exhausted', attempts: 2 });
    expect(dead?.lastError).toBe('WhatsApp send failed with HTTP 500 (error 1)');
    await eventually(
      () => fakes.graph.sent().some((sent) => sent.body === FAILURE_REPLY),
      'the apology',
    );
  });
});
