import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findDebianBinaries, PROMTOOL } from '../test-support/debian-binary.js';
import {
  closeTestGateways,
  postMessage,
  startTestGateway,
} from '../test-support/gateway-harness.js';
import { ask, openSession } from '../test-support/ws-session.js';

/*
 * The real /metrics of a running gateway, checked by Prometheus' own linter. promtool comes from
 * Debian's `prometheus` package: installed here when missing and running as root; otherwise the
 * test fails with the command to run.
 */

let promtool: string;

beforeAll(() => {
  [promtool] = findDebianBinaries([PROMTOOL]) as [string];
}, 300_000);

afterEach(closeTestGateways);

function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('/metrics', () => {
  it('passes `promtool check metrics` and covers requests, channels, sessions and the inbox', async () => {
    const gateway = await startTestGateway();
    const token = await gateway.pair();
    expect((await postMessage(gateway, 'count me', { token })).status).toBe(200);
    const { client } = await openSession(`${gateway.url.replace(/^http/, 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await ask(client, 'm1', 'hello');

    const response = await fetch(`${gateway.url}/metrics`);
    const text = await response.text();
    client.ws.close();

    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    expect(text).toMatch(
      /^gatehouse_http_requests_total\{route="\/webhook",method="POST",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^gatehouse_request_latency_seconds_bucket\{le="0\.005",route="\/webhook"\} \d+$/m,
    );
    expect(text).toMatch(
      /^gatehouse_channel_messages_total\{channel="api",direction="inbound"\} 1$/m,
    );
    expect(text).toMatch(
      /^gatehouse_channel_messages_total\{channel="api",direction="outbound"\} 1$/m,
    );
    expect(text).toMatch(
      /^gatehouse_channel_messages_total\{channel="web",direction="outbound"\} 1$/m,
    );
    // Two turns (the webhook and the WebSocket message), each one LLM call.
    expect(text).toMatch(
      /^gatehouse_agent_turns_total\{agent="[^"]+",provider="echo",model="[^"]+"\} 2$/m,
    );
    expect(text).toMatch(
      /^gatehouse_llm_requests_total\{provider="echo",model="[^"]+",success="true"\} 2$/m,
    );
    expect(text).toMatch(
      /^gatehouse_llm_request_duration_seconds_bucket\{le="\+Inf",provider="echo",model="[^"]+"\} 2$/m,
    );
    expect(text).toMatch(/^gatehouse_active_sessions 1$/m);
    expect(text).toMatch(/^gatehouse_inbox_items\{status="pending"\} 0$/m);
    expect(text).toMatch(/^gatehouse_component_up\{component="gateway"\} 1$/m);
    expect(text).toMatch(/^gatehouse_component_up\{component="heartbeat"\} 1$/m);
    expect(text).not.toMatch(/^gatehouse_nodejs_active_\w+_total/m);
  });

  it('fails the check on a gauge named like a counter (the check can fail)', () => {
    const bad = '# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n';
    expect(promtoolCheck(bad).output).toMatch(
      /non-counter metrics should not have "_total" suffix/,
    );
  });
});
