import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsExporter } from '../server/types.js';
import type { ObserverEvent } from './types.js';

/** The Prometheus text exposition content type (format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const PREFIX = 'gatehouse_';
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LLM_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** Options for createMetrics. */
export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag); default true. */
  defaultMetrics?: boolean;
}

/** Prometheus instruments behind the MetricsExporter port; fed by the Observer. */
export interface GatewayMetrics extends MetricsExporter {
  /** This app's own registry (never prom-client's global one, so instances do not collide). */
  readonly registry: Registry;
  /** Applies one event to the instruments. */
  observe(event: ObserverEvent): void;
}

/** Builds a fresh registry with every `gatehouse_` instrument. */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const requestLatency = new Histogram({
    name: `${PREFIX}request_latency_seconds`,
    help: 'HTTP request latency by route pattern',
    labelNames: ['route'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  const heartbeatTicks = new Counter({
    name: `${PREFIX}heartbeat_ticks_total`,
    help: 'Heartbeat ticks',
    registers,
  });
  const llmRequests = new Counter({
    name: `${PREFIX}llm_requests_total`,
    help: 'LLM requests by provider, model and outcome',
    labelNames: ['provider', 'model', 'success'] as const,
    registers,
  });
  const llmDuration = new Histogram({
    name: `${PREFIX}llm_request_duration_seconds`,
    help: 'LLM request duration',
    labelNames: ['provider', 'model'] as const,
    buckets: LLM_BUCKETS,
    registers,
  });
  const agentTurns = new Counter({
    name: `${PREFIX}agent_turns_total`,
    help: 'Completed agent turns by agent, provider and model',
    labelNames: ['agent', 'provider', 'model'] as const,
    registers,
  });
  const agentTokens = new Counter({
    name: `${PREFIX}agent_tokens_total`,
    help: 'LLM tokens (input + output) by agent, provider and model',
    labelNames: ['agent', 'provider', 'model'] as const,
    registers,
  });
  const tokens = new Counter({
    name: `${PREFIX}tokens_total`,
    help: 'LLM tokens by provider and direction',
    labelNames: ['provider', 'direction'] as const,
    registers,
  });
  const errors = new Counter({
    name: `${PREFIX}errors_total`,
    help: 'Errors by component',
    labelNames: ['component'] as const,
    registers,
  });
  const activeSessions = new Gauge({
    name: `${PREFIX}active_sessions`,
    help: 'Open WebSocket sessions',
    registers,
  });
  const channelMessages = new Counter({
    name: `${PREFIX}channel_messages_total`,
    help: 'Channel messages by channel and direction',
    labelNames: ['channel', 'direction'] as const,
    registers,
  });

  // Per-request hot path: resolve labelled children once per label combination instead of
  // hashing the label object on every request.
  type CounterChild = ReturnType<typeof httpRequests.labels>;
  type HistogramChild = ReturnType<typeof requestLatency.labels>;
  const requestChildren = new Map<string, CounterChild>();
  const latencyChildren = new Map<string, HistogramChild>();

  function recordRequest(route: string, method: string, status: number, durationMs: number): void {
    const key = `${route}\u0000${method}\u0000${status}`;
    let counter = requestChildren.get(key);
    if (counter === undefined) {
      counter = httpRequests.labels(route, method, String(status));
      requestChildren.set(key, counter);
    }
    counter.inc();
    let histogram = latencyChildren.get(route);
    if (histogram === undefined) {
      histogram = requestLatency.labels(route);
      latencyChildren.set(route, histogram);
    }
    histogram.observe(durationMs / 1000);
  }

  function observe(event: ObserverEvent): void {
    switch (event.type) {
      case 'RequestLatency':
        recordRequest(event.route, event.method, event.status, event.durationMs);
        return;
      case 'HeartbeatTick':
        heartbeatTicks.inc();
        return;
      case 'LlmResponse': {
        const { provider, model } = event;
        llmRequests.inc({ provider, model, success: String(event.success) });
        llmDuration.observe({ provider, model }, event.durationMs / 1000);
        if (event.inputTokens) tokens.inc({ provider, direction: 'input' }, event.inputTokens);
        if (event.outputTokens) tokens.inc({ provider, direction: 'output' }, event.outputTokens);
        return;
      }
      case 'AgentEnd': {
        const labels = { agent: event.agent ?? 'default', provider: event.provider };
        agentTurns.inc({ ...labels, model: event.model });
        if (event.tokensUsed) agentTokens.inc({ ...labels, model: event.model }, event.tokensUsed);
        return;
      }
      case 'Error':
        errors.inc({ component: event.component });
        return;
      case 'ChannelMessage':
        channelMessages.inc({ channel: event.channel, direction: event.direction });
        return;
      case 'ActiveSessions':
        activeSessions.set(event.count);
        return;
      case 'AgentStart':
      case 'LlmRequest':
        // Counted on completion (LlmResponse / AgentEnd), where the outcome is known.
        return;
    }
  }

  return {
    registry,
    contentType: PROMETHEUS_CONTENT_TYPE,
    observe,
    render: () => registry.metrics(),
  };
}
