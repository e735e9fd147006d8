import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import { createReplyStream } from '../reply-stream.js';
import type { Principal, TurnContext } from '../types.js';
import { auditStage } from './audit-stage.js';

const TOKEN = 'gth_abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd';

function memoryLog() {
  const records: Array<Record<string, unknown>> = [];
  const log: AuditLog = {
    write: (record) => records.push(record),
    reopen: () => undefined,
    close: async () => {},
  };
  return { log, records };
}

function context(principal: Principal): TurnContext {
  return {
    agent: {
      name: 'support',
      provider: 'echo',
      model: 'echo',
      systemPrompt: '',
      temperature: 0,
      maxTokens: 1,
      historyWindow: 0,
    },
    history: [],
    reply: createReplyStream([]),
    request: {
      message: {
        channel: 'api',
        senderId: principal.id,
        conversationId: 'api:c1',
        text: 'hello there',
        messageId: 'm1',
        replyTarget: 'http',
        receivedAt: 0,
      },
      principal,
      signal: new AbortController().signal,
    },
  };
}

const jwt: Principal = {
  id: 'jwt:user:alice',
  kind: 'jwt',
  scopes: new Set(['channels:api', 'channels:web']),
  jti: 'jti-1',
};
const paired: Principal = {
  id: 'paired:abcdef012345',
  kind: 'paired',
  scopes: new Set(['channels:api']),
  jti: `paired:${'f'.repeat(64)}`,
};

function stage(log: AuditLog, claims = false, body = false) {
  let clock = 1_767_225_600_000;
  return auditStage({
    log,
    includeTokenClaims: claims,
    includeMessageBody: body,
    jwtIssuer: 'gatehouse',
    now: () => (clock += 25),
  });
}

describe('auditStage', () => {
  it('writes an inbound and an outbound line with the documented fields, without text or claims by default', async () => {
    const { log, records } = memoryLog();
    const ctx = context(jwt);
    await stage(log).run(ctx, async () => {
      ctx.result = { response: 'hi!', model: 'echo', duplicate: false };
    });
    expect(records).toEqual([
      {
        ts: '2026-01-01T00:00:00.025Z',
        direction: 'inbound',
        channel: 'api',
        principal: 'jwt:user:alice',
        sender: 'jwt:user:alice',
        agent: 'support',
        message_id: 'm1',
        conversation_id: 'api:c1',
        outcome: 'ok',
        length: 11,
      },
      {
        ts: '2026-01-01T00:00:00.050Z',
        direction: 'outbound',
        channel: 'api',
        principal: 'jwt:user:alice',
        sender: 'jwt:user:alice',
        agent: 'support',
        message_id: 'm1',
        conversation_id: 'api:c1',
        outcome: 'ok',
        duration_ms: 25,
        length: 3,
      },
    ]);
  });

  it('adds claims and text only when asked, and never a token or token hash', async () => {
    const { log, records } = memoryLog();
    for (const principal of [jwt, paired]) {
      const ctx = context(principal);
      await stage(log, true, true).run(ctx, async () => {
        ctx.result = { response: 'reply text', model: 'echo', duplicate: false };
      });
    }
    expect(records[0]).toMatchObject({
      claims: {
        sub: 'user:alice',
        jti: 'jti-1',
        scope: 'channels:api channels:web',
        iss: 'gatehouse',
      },
      text: 'hello there',
    });
    expect(records[1]).toMatchObject({ text: 'reply text' });
    expect(records[2]).toMatchObject({
      claims: { sub: 'paired:abcdef012345', scope: 'channels:api' },
    });
    const serialized = JSON.stringify(records);
    expect(serialized).not.toContain('f'.repeat(64));
    expect(serialized).not.toContain(TOKEN);
  });

  it.each<[string, (ctx: TurnContext) => void, Record<string, unknown>, Record<string, unknown>]>([
    [
      'blocked inbound',
      (ctx) => {
        ctx.marks = { blocked: 'inbound' };
        throw new GatewayError('CONTENT_BLOCKED');
      },
      { outcome: 'blocked', code: 'CONTENT_BLOCKED' },
      { outcome: 'blocked', code: 'CONTENT_BLOCKED' },
    ],
    [
      'rate limited',
      (ctx) => {
        ctx.marks = { limited: 'RATE_LIMITED' };
        throw new GatewayError('RATE_LIMITED', { extra: { retry_after: 3 } });
      },
      { outcome: 'rate_limited', code: 'RATE_LIMITED' },
      { outcome: 'rate_limited', code: 'RATE_LIMITED' },
    ],
    [
      'budget exceeded',
      (ctx) => {
        ctx.marks = { limited: 'BUDGET_EXCEEDED' };
        throw new GatewayError('BUDGET_EXCEEDED', { extra: { retry_after: 3 } });
      },
      { outcome: 'rate_limited', code: 'BUDGET_EXCEEDED' },
      { outcome: 'rate_limited', code: 'BUDGET_EXCEEDED' },
    ],
    [
      'provider failure',
      () => {
        throw new GatewayError('LLM_REQUEST_FAILED');
      },
      { outcome: 'ok' },
      { outcome: 'error', code: 'LLM_REQUEST_FAILED' },
    ],
    [
      'duplicate',
      (ctx) => {
        ctx.result = { response: 'x', model: 'echo', duplicate: true };
      },
      { outcome: 'duplicate' },
      { outcome: 'duplicate' },
    ],
    [
      'reply blocked outbound',
      (ctx) => {
        ctx.marks = { blocked: 'outbound' };
        ctx.result = { response: 'warning', model: 'echo', duplicate: false };
      },
      { outcome: 'ok' },
      { outcome: 'blocked', code: 'CONTENT_BLOCKED' },
    ],
    [
      'flagged',
      (ctx) => {
        ctx.marks = { flagged: true };
        ctx.result = { response: 'x', model: 'echo', duplicate: false };
      },
      { outcome: 'ok', flagged: true },
      { outcome: 'ok', flagged: true },
    ],
  ])('records %s in both directions', async (_name, turn, inbound, outbound) => {
    const { log, records } = memoryLog();
    const ctx = context(jwt);
    await stage(log)
      .run(ctx, async () => turn(ctx))
      .catch(() => undefined);
    expect(records[0]).toMatchObject({ direction: 'inbound', ...inbound });
    expect(records[1]).toMatchObject({ direction: 'outbound', ...outbound });
    if (!('code' in inbound)) expect(records[0]).not.toHaveProperty('code');
  });

  it('passes the failure on after recording it', async () => {
    const { log } = memoryLog();
    const failing = stage(log).run(context(jwt), async () => {
      throw new GatewayError('LLM_REQUEST_FAILED');
    });
    await expect(failing).rejects.toMatchObject({ code: 'LLM_REQUEST_FAILED' });
  });
});
