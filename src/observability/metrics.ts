import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createCounterFamily, createHistogramFamily } from './plain-metrics.js';
import { createRequestMetrics } from './request-metrics.js';
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
  /** Reports `gatehouse_inbox_items{status}` from `counts`, read at each scrape. */
  watchInbox(counts: () => Promise<Readonly<Record<string, number>>>): void;
  /**
   * Reports `gatehouse_component_up{component}` (1 when ok or degraded, 0 when starting or
   * failed) from `statuses`, read at each scrape: gateway, channels and each channel, backends.
   */
  watchComponents(statuses: () => Readonly<Record<string, string>>): void;
}

/**
 * prom-client's default gauges that end in `_total`, a suffix the exposition format reserves for
 * counters (`promtool check metrics` rejects them). Their per-type siblings without the suffix
 * (`gatehouse_nodejs_active_handles{type}` …) stay and carry the same information.
 */
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** Builds a fresh registry with every `gatehouse_` instrument. */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(`${PREFIX}${name}`);
  }
  const registers = [registry];

  // Updated on every request: plain numbers, rendered after the registry's metrics at scrape.
  const requests = createRequestMetrics({ prefix: PREFIX, buckets: HTTP_BUCKETS });
  const heartbeatTicks = new Counter({
    name: `${PREFIX}heartbeat_ticks_total`,
    help: 'Heartbeat ticks',
    registers,
  });
  // Updated on every message: plain numbers too (plain-metrics.ts).
  const llmRequests = createCounterFamily({
    name: `${PREFIX}llm_requests_total`,
    help: 'LLM requests by provider, model and outcome',
    labelNames: ['provider', 'model', 'success'],
  });
  const llmDuration = createHistogramFamily({
    name: `${PREFIX}llm_request_duration_seconds`,
    help: 'LLM request duration',
    labelNames: ['provider', 'model'],
    buckets: LLM_BUCKETS,
  });
  const agentTurns = createCounterFamily({
    name: `${PREFIX}agent_turns_total`,
    help: 'Completed agent turns by agent, provider and model',
    labelNames: ['agent', 'provider', 'model'],
  });
  const agentTokens = createCounterFamily({
    name: `${PREFIX}agent_tokens_total`,
    help: 'LLM tokens (input + output) by agent, provider and model',
    labelNames: ['agent', 'provider', 'model'],
  });
  const tokens = createCounterFamily({
    name: `${PREFIX}tokens_total`,
    help: 'LLM tokens by provider and direction',
    labelNames: ['provider', 'direction'],
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
  let inboxCounts: (() => Promise<Readonly<Record<string, number>>>) | undefined;
  let componentStatuses: (() => Readonly<Record<string, string>>) | undefined;
  new Gauge({
    name: `${PREFIX}component_up`,
    help: 'Whether a runtime component serves (1: ok or degraded, 0: starting or error)',
    labelNames: ['component'] as const,
    registers,
    collect() {
      if (componentStatuses === undefined) return;
      for (const [component, status] of Object.entries(componentStatuses())) {
        this.set({ component }, status === 'ok' || status === 'degraded' ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${PREFIX}inbox_items`,
    help: 'Durable inbox items by status',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      if (inboxCounts === undefined) return;
      for (const [status, count] of Object.entries(await inboxCounts())) {
        this.set({ status }, count);
      }
    },
  });
  const channelMessages = createCounterFamily({
    name: `${PREFIX}channel_messages_total`,
    help: 'Channel messages by channel and direction',
    labelNames: ['channel', 'direction'],
  });
  const unknownOutcomes = new Counter({
    name: `${PREFIX}inbox_unknown_outcomes_total`,
    help: 'Reply parts whose send outcome a crash left unknown, by channel',
    labelNames: ['channel'] as const,
    registers,
  });

  const plainFamilies = [
    requests,
    llmRequests,
    llmDuration,
    agentTurns,
    agentTokens,
    tokens,
    channelMessages,
  ];

  function observe(event: ObserverEvent): void {
    switch (event.type) {
      case 'RequestLatency':
        requests.record(event.route, event.method, event.status, event.durationMs);
        return;
      case 'HeartbeatTick':
        heartbeatTicks.inc();
        return;
      case 'LlmResponse': {
        const { provider, model } = event;
        llmRequests.child(provider, model, String(event.success)).inc();
        llmDuration.child(provider, model).observe(event.durationMs / 1000);
        if (event.inputTokens) tokens.child(provider, 'input').inc(event.inputTokens);
        if (event.outputTokens) tokens.child(provider, 'output').inc(event.outputTokens);
        return;
      }
      case 'AgentEnd': {
        const agent = event.agent ?? 'default';
        agentTurns.child(agent, event.provider, event.model).inc();
        if (event.tokensUsed) {
          agentTokens.child(agent, event.provider, event.model).inc(event.tokensUsed);
        }
        return;
      }
      case 'Error':
        errors.inc({ component: event.component });
        return;
      case 'ChannelMessage':
        channelMessages.child(event.channel, event.direction).inc();
        return;
      case 'ActiveSessions':
        activeSessions.set(event.count);
        return;
      case 'InboxUnknownOutcome':
        unknownOutcomes.inc({ channel: event.channel });
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
    watchInbox(counts) {
      inboxCounts = counts;
    },
    watchComponents(statuses) {
      componentStatuses = statuses;
    },
    render: async () =>
      [await registry.metrics(), ...plainFamilies.map((family) => family.render())].join('\n'),
  };
}
