import { describe, it, expect } from 'vitest';
import { createMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.js';

describe('createMetrics', () => {
  it('exposes every gatehouse_ instrument in Prometheus text', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const text = await metrics.render();
    for (const name of [
      'gatehouse_http_requests_total',
      'gatehouse_request_latency_seconds',
      'gatehouse_heartbeat_ticks_total',
      'gatehouse_llm_requests_total',
      'gatehouse_llm_request_duration_seconds',
      'gatehouse_agent_turns_total',
      'gatehouse_tokens_total',
      'gatehouse_errors_total',
      'gatehouse_active_sessions',
      'gatehouse_channel_messages_total',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(metrics.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
  });

  it('includes process metrics with the gatehouse_ prefix by default', async () => {
    const text = await createMetrics().render();
    expect(text).toContain('gatehouse_process_cpu_user_seconds_total');
  });

  it('keeps registries separate per instance', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.observe({ type: 'HeartbeatTick' });
    expect(await a.render()).toContain('gatehouse_heartbeat_ticks_total 1');
    expect(await b.render()).toContain('gatehouse_heartbeat_ticks_total 0');
  });

  it('maps each event to its instrument', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const route = { route: '/health', method: 'GET', status: 200, durationMs: 12 } as const;
    metrics.observe({ type: 'RequestLatency', ...route });
    metrics.observe({ type: 'RequestLatency', ...route });
    metrics.observe({
      type: 'LlmResponse',
      provider: 'openai',
      model: 'gpt-4o',
      durationMs: 1500,
      success: true,
      inputTokens: 10,
      outputTokens: 5,
    });
    metrics.observe({
      type: 'AgentEnd',
      agent: 'support',
      provider: 'openai',
      model: 'gpt-4o',
      durationMs: 1600,
      tokensUsed: 15,
    });
    metrics.observe({ type: 'Error', component: 'channels.slack', message: 'boom' });
    metrics.observe({ type: 'ChannelMessage', channel: 'slack', direction: 'inbound' });
    metrics.observe({ type: 'ActiveSessions', count: 3 });

    const text = await metrics.render();
    expect(text).toContain(
      'gatehouse_http_requests_total{route="/health",method="GET",status="200"} 2',
    );
    expect(text).toContain('gatehouse_request_latency_seconds_count{route="/health"} 2');
    expect(text).toContain(
      'gatehouse_llm_requests_total{provider="openai",model="gpt-4o",success="true"} 1',
    );
    expect(text).toContain('gatehouse_tokens_total{provider="openai",direction="input"} 10');
    expect(text).toContain('gatehouse_tokens_total{provider="openai",direction="output"} 5');
    expect(text).toContain(
      'gatehouse_agent_turns_total{agent="support",provider="openai",model="gpt-4o"} 1',
    );
    expect(text).toContain(
      'gatehouse_agent_tokens_total{agent="support",provider="openai",model="gpt-4o"} 15',
    );
    expect(text).toContain('gatehouse_errors_total{component="channels.slack"} 1');
    expect(text).toContain(
      'gatehouse_channel_messages_total{channel="slack",direction="inbound"} 1',
    );
    expect(text).toContain('gatehouse_active_sessions 3');
  });
});
