import { deliverReply } from '../../test-support/deliver-reply.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WhatsAppConfig } from '../../config/schema.js';
import { channelRequest, signMeta, whatsappWebhook } from '../../test-support/channel-payloads.js';
import { startFakeGraphApi, type FakeGraphApi } from '../../test-support/fake-graph-api.js';
import { isGatewayError } from '../../errors.js';
import { DeliveryError } from '../types.js';
import { createWhatsAppAdapter } from './adapter.js';

const baseConfig: WhatsAppConfig = {
  access_token: 'wa-access-token-SECRET',
  phone_number_id: '123456789',
  app_secret: 'wa-app-secret',
  verify_token: 'wa-verify',
  allowed_numbers: ['*'],
  api_base_url: 'http://127.0.0.1:9',
  api_version: 'v21.0',
  on_unknown_outcome: 'resend' as const,
};

const parse = (config: Partial<WhatsAppConfig>, payload: unknown) =>
  createWhatsAppAdapter({ config: { ...baseConfig, ...config } }).parse(
    channelRequest({ body: JSON.stringify(payload), receivedAt: 5 }),
  );

describe('WhatsApp GET handshake', () => {
  const adapter = (verify_token: string | undefined) =>
    createWhatsAppAdapter({ config: { ...baseConfig, verify_token } });
  const query = (q: Record<string, string>) => channelRequest({ method: 'GET', query: q });
  /** The GatewayError a refused handshake throws, as `[status, code]`. */
  const refusal = (answer: () => unknown): [number, string] => {
    try {
      answer();
    } catch (error) {
      if (isGatewayError(error)) return [error.status, error.code];
      throw error;
    }
    throw new Error('handshake was not refused');
  };

  it('echoes hub.challenge as plain text for subscribe with the verify token', () => {
    const response = adapter('wa-verify').handshake?.(
      query({
        'hub.mode': 'subscribe',
        'hub.verify_token': 'wa-verify',
        'hub.challenge': '1158201444',
      }),
    );
    expect(response).toEqual({ status: 200, contentType: 'text/plain', body: '1158201444' });
  });

  it.each([
    [
      'a wrong token',
      'wa-verify',
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': 'c' },
    ],
    [
      'another mode',
      'wa-verify',
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'wa-verify', 'hub.challenge': 'c' },
    ],
    ['no challenge', 'wa-verify', { 'hub.mode': 'subscribe', 'hub.verify_token': 'wa-verify' }],
    [
      'an unset verify token',
      undefined,
      { 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': 'c' },
    ],
  ] as const)('refuses %s with 403 WEBHOOK_VERIFICATION_FAILED', (_label, token, q) => {
    expect(refusal(() => adapter(token).handshake?.(query({ ...q })))).toEqual([
      403,
      'WEBHOOK_VERIFICATION_FAILED',
    ]);
  });

  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['a line break', '123\r\nSet-Cookie: a=b'],
    ['an empty value', ''],
    ['more than 256 characters', '1'.repeat(257)],
    ['non-ASCII text', '12\u00e93'],
  ])('refuses with 400 BAD_REQUEST without echoing a challenge with %s', (_label, challenge) => {
    const answer = () =>
      adapter('wa-verify').handshake?.(
        query({
          'hub.mode': 'subscribe',
          'hub.verify_token': 'wa-verify',
          'hub.challenge': challenge,
        }),
      );
    expect(refusal(answer)).toEqual([400, 'BAD_REQUEST']);
  });

  it.each(['1158201444', 'abc-DEF_1.2~x', '9'.repeat(256)])(
    'echoes the well-formed challenge %s',
    (challenge) => {
      const response = adapter('wa-verify').handshake?.(
        query({
          'hub.mode': 'subscribe',
          'hub.verify_token': 'wa-verify',
          'hub.challenge': challenge,
        }),
      );
      expect(response).toEqual({ status: 200, contentType: 'text/plain', body: challenge });
    },
  );

  it('refuses a wrong verify token with 403 before looking at the challenge', () => {
    const answer = () =>
      adapter('wa-verify').handshake?.(
        query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '<b>' }),
      );
    expect(refusal(answer)).toEqual([403, 'WEBHOOK_VERIFICATION_FAILED']);
  });
});

describe('WhatsApp parse', () => {
  it('reads every message of every entry and ignores statuses and non-text messages', () => {
    const payload = whatsappWebhook([
      [
        { from: '15550000001', id: 'wamid.1', text: 'one' },
        { from: '15550000002', id: 'wamid.2', text: 'two' },
      ],
      [{ from: '15550000003', id: 'wamid.3', text: 'three' }],
    ]);
    const entries = payload.entry as Array<{ changes: Array<{ value: { messages: unknown[] } }> }>;
    entries[1]!.changes[0]!.value.messages.push({
      from: '15550000004',
      id: 'wamid.img',
      type: 'image',
      image: { id: 'media1' },
    });
    const result = parse({}, payload);
    expect(result.messages.map((m) => [m.messageId, m.senderId, m.text, m.receivedAt])).toEqual([
      ['wamid.1', '+15550000001', 'one', 5],
      ['wamid.2', '+15550000002', 'two', 5],
      ['wamid.3', '+15550000003', 'three', 5],
    ]);
  });

  it('drops and counts senders outside allowed_numbers', () => {
    const payload = whatsappWebhook([
      [
        { from: '15550000001', id: 'wamid.1', text: 'allowed' },
        { from: '15550000002', id: 'wamid.2', text: 'stranger' },
      ],
    ]);
    const result = parse({ allowed_numbers: ['+15550000001'] }, payload);
    expect(result.messages.map((m) => m.messageId)).toEqual(['wamid.1']);
    expect(result.dropped).toBe(1);
  });

  it('admits nobody with an empty allowlist', () => {
    const payload = whatsappWebhook([[{ from: '15550000001', id: 'wamid.1', text: 'hi' }]]);
    expect(parse({ allowed_numbers: [] }, payload)).toEqual({ messages: [], dropped: 1 });
  });

  it('ignores messages addressed to another phone number of the business account', () => {
    const payload = whatsappWebhook([[{ from: '15550000001', id: 'wamid.1', text: 'hi' }]], '999');
    expect(parse({}, payload)).toEqual({ messages: [], dropped: 0 });
  });

  it('acknowledges a status-only webhook with no messages', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: 'W', changes: [{ field: 'messages', value: { statuses: [{ id: 's' }] } }] }],
    };
    expect(parse({}, payload)).toEqual({ messages: [], dropped: 0 });
  });

  it('rejects a body without an entry array as INVALID_BODY', () => {
    expect(() => parse({}, { object: 'x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_BODY' }),
    );
  });

  it('verifies against the exact bytes even when the JSON has unusual whitespace', () => {
    const body = '{ "object":"whatsapp_business_account",\n"entry" : [] }';
    const adapter = createWhatsAppAdapter({ config: baseConfig });
    const request = channelRequest({
      body,
      headers: { 'x-hub-signature-256': signMeta(body, 'wa-app-secret') },
    });
    expect(adapter.verify(request)).toEqual({ ok: true });
  });
});

describe('WhatsApp deliver', () => {
  let fake: FakeGraphApi;
  beforeEach(async () => {
    fake = await startFakeGraphApi({ accessToken: baseConfig.access_token });
  });
  afterEach(async () => {
    await fake.close();
  });

  const message = {
    channel: 'whatsapp' as const,
    senderId: '+15550000001',
    conversationId: 'whatsapp:15550000001',
    text: 'q',
    messageId: 'wamid.1',
    replyTarget: '15550000001',
    receivedAt: 0,
  };

  it('posts the Cloud API text message body with the bearer token', async () => {
    const adapter = createWhatsAppAdapter({ config: { ...baseConfig, api_base_url: fake.url } });
    await adapter.deliver({ message, text: 'answer' }, AbortSignal.timeout(10_000));
    const [request] = fake.requests;
    expect(request?.path).toBe('/v21.0/123456789/messages');
    expect(request?.headers.authorization).toBe(`Bearer ${baseConfig.access_token}`);
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '15550000001',
      type: 'text',
      text: { preview_url: false, body: 'answer' },
    });
  });

  it('splits a reply longer than 4096 characters into several messages', async () => {
    const adapter = createWhatsAppAdapter({ config: { ...baseConfig, api_base_url: fake.url } });
    const text = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(' ');
    await deliverReply(adapter, message, text);
    const bodies = fake.sent().map((sent) => sent.body);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(4096);
    expect(bodies.join(' ')).toBe(text);
  });

  it('maps a 401 to a non-retryable error that does not contain the token', async () => {
    const adapter = createWhatsAppAdapter({
      config: { ...baseConfig, api_base_url: fake.url, access_token: 'wrong-token-SECRET' },
    });
    const error = await adapter
      .deliver({ message, text: 'x' }, AbortSignal.timeout(10_000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, status: 401 });
    expect(String((error as Error).message)).not.toContain('SECRET');
  });

  it('maps an unreachable API to a retryable error', async () => {
    const adapter = createWhatsAppAdapter({ config: baseConfig });
    const error = await adapter
      .deliver({ message, text: 'x' }, AbortSignal.timeout(10_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DeliveryError', retryable: true });
  });
});
