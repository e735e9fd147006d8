import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlainRouteTable } from '../../server/plain-lane.js';
import type { GatewayReply, TestGateway } from '../../test-support/gateway-harness.js';
import {
  closeTestGateways,
  handMadeToken,
  send,
  startTestGateway,
} from '../../test-support/gateway-harness.js';

afterEach(closeTestGateways);

const TOKEN = handMadeToken('5eed');
const bearer = { authorization: `Bearer ${TOKEN}` };

// The plain lane reads `application/json` bodies; this spelling (no space before the parameter)
// is one it leaves to the framework, which reads every media type as the same bytes.
const LANE_TYPE = 'application/json';
const FRAMEWORK_TYPE = 'application/json;charset=utf-8';

/** Headers that differ between any two answers (the date, the request's own id). */
const PER_ANSWER = new Set(['date', 'x-request-id']);

function comparable(reply: GatewayReply): {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
} {
  const headers: Record<string, string> = {};
  reply.headers.forEach((value, name) => {
    if (!PER_ANSWER.has(name)) headers[name] = value;
  });
  const { request_id: requestId, ...body } = reply.body;
  if (requestId !== undefined) expect(requestId).toBe(reply.headers.get('x-request-id'));
  return { status: reply.status, headers, body };
}

/** The gateway's plain `/webhook` route, with a spy on its answers. */
function spyOnLane(gateway: TestGateway, path = '/webhook') {
  const table = gateway.handle.app.plainRoutes as PlainRouteTable | undefined;
  const entry = table?.get(path);
  if (entry === undefined) throw new Error(`${path} is not a plain route`);
  return vi.spyOn(entry.route, 'answer');
}

interface Case {
  name: string;
  path?: string;
  headers?: Record<string, string>;
  body: string;
}

const CASES: Case[] = [
  { name: 'a turn', headers: bearer, body: '{"message":"hello"}' },
  {
    name: 'a turn on the alias path',
    path: '/channels/api/v1',
    headers: bearer,
    body: '{"message":"hi"}',
  },
  { name: 'no bearer', body: '{"message":"hello"}' },
  {
    name: 'an unknown token',
    headers: { authorization: `Bearer ${handMadeToken('0')}` },
    body: '{"message":"x"}',
  },
  { name: 'a body that is not JSON', headers: bearer, body: '{"message":' },
  { name: 'a body with another field', headers: bearer, body: '{"message":"x","extra":1}' },
  { name: 'an empty message', headers: bearer, body: '{"message":"  "}' },
  {
    name: 'a bad X-Session-Id',
    headers: { ...bearer, 'x-session-id': 'a b' },
    body: '{"message":"x"}',
  },
  {
    name: 'a session id',
    headers: { ...bearer, 'x-session-id': 'ses-1' },
    body: '{"message":"x"}',
  },
];

describe('POST /webhook through the plain lane and through the framework', () => {
  it.each(CASES)(
    'answers $name the same both ways',
    async ({ path = '/webhook', headers, body }) => {
      const gateway = await startTestGateway({ toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\n` });
      const answers = spyOnLane(gateway, path);
      const viaLane = await send(gateway, path, {
        headers: { ...headers, 'content-type': LANE_TYPE },
        body,
      });
      expect(answers).toHaveBeenCalledTimes(1);
      const viaFramework = await send(gateway, path, {
        headers: { ...headers, 'content-type': FRAMEWORK_TYPE },
        body,
      });
      expect(answers).toHaveBeenCalledTimes(1);
      expect(comparable(viaLane)).toEqual(comparable(viaFramework));
      expect(viaLane.headers.get('x-request-id')).toMatch(/\S/);
    },
  );

  it('answers a repeated idempotency key as a duplicate on either path', async () => {
    const gateway = await startTestGateway({ toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\n` });
    const headers = { ...bearer, 'x-idempotency-key': 'key-1' };
    const first = await send(gateway, '/webhook', {
      headers: { ...headers, 'content-type': LANE_TYPE },
      body: '{"message":"once"}',
    });
    const viaFramework = await send(gateway, '/webhook', {
      headers: { ...headers, 'content-type': FRAMEWORK_TYPE },
      body: '{"message":"once"}',
    });
    const viaLane = await send(gateway, '/webhook', {
      headers: { ...headers, 'content-type': LANE_TYPE },
      body: '{"message":"once"}',
    });
    expect(first.body).not.toHaveProperty('status');
    expect(viaFramework.body).toMatchObject({ status: 'duplicate', idempotent: true });
    expect(comparable(viaLane)).toEqual(comparable(viaFramework));
  });

  it('shares one rate limit and answers its refusal the same both ways', async () => {
    const gateway = await startTestGateway({
      toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\nwebhook_rate_limit_per_minute = 2\n`,
    });
    const post = (type: string) =>
      send(gateway, '/webhook', {
        headers: { ...bearer, 'content-type': type },
        body: '{"message":"x"}',
      });
    expect((await post(LANE_TYPE)).status).toBe(200);
    expect((await post(FRAMEWORK_TYPE)).status).toBe(200);
    const viaLane = await post(LANE_TYPE);
    const viaFramework = await post(FRAMEWORK_TYPE);
    expect(viaLane.status).toBe(429);
    expect(viaLane.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(comparable(viaLane)).toEqual(comparable(viaFramework));
  });

  it('leaves a browser request (Origin) and an event stream to the framework', async () => {
    const gateway = await startTestGateway({ toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\n` });
    const answers = spyOnLane(gateway);
    const foreign = await send(gateway, '/webhook', {
      headers: { ...bearer, origin: 'https://evil.example' },
      body: '{"message":"x"}',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'ORIGIN_FORBIDDEN' });
    const streamed = await send(gateway, '/webhook', {
      headers: { ...bearer, accept: 'text/event-stream' },
      body: '{"message":"x"}',
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(answers).not.toHaveBeenCalled();
  });

  it('counts lane answers in the request metrics under their route', async () => {
    const gateway = await startTestGateway({ toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\n` });
    const answers = spyOnLane(gateway);
    for (let i = 0; i < 3; i++) {
      await send(gateway, '/webhook', { headers: bearer, body: '{"message":"x"}' });
    }
    expect(answers).toHaveBeenCalledTimes(3);
    const metrics = await send(gateway, '/metrics', { method: 'GET', headers: bearer });
    const text = String(metrics.body.text);
    expect(text).toMatch(
      /gatehouse_http_requests_total\{[^}]*route="\/webhook"[^}]*status="200"[^}]*\} 3\b/,
    );
  });

  it("writes the access log line and keeps a trusted proxy's request id on the lane", async () => {
    const gateway = await startTestGateway({
      toml: [
        '[gateway]',
        `paired_tokens = ["${TOKEN}"]`,
        'trust_forwarded_headers = true',
        '[observability]',
        'access_log = true',
        '',
      ].join('\n'),
    });
    const answers = spyOnLane(gateway);
    const reply = await send(gateway, '/webhook', {
      headers: { ...bearer, 'x-request-id': 'edge-42' },
      body: '{"message":"x"}',
    });
    expect(answers).toHaveBeenCalledTimes(1);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-request-id')).toBe('edge-42');
    const lines = gateway.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'edge-42',
        method: 'POST',
        route: '/webhook',
        status: 200,
        client: '127.0.0.1',
        durationMs: expect.any(Number),
      }),
    ]);
    expect(gateway.logLines.join('\n')).not.toContain(TOKEN);
  });
});
