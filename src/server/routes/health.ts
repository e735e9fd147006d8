import { GatewayError } from '../../errors.js';
import type { FastifyReply } from 'fastify';
import type { HealthRegistry } from '../../runtime/types.js';
import type { RouteRegistrar } from '../types.js';

/** Options for healthRoutes and createProbeAnswers. */
export interface HealthRouteOptions {
  health: HealthRegistry;
  isPaired: () => boolean;
  /** True once a graceful shutdown has begun; /readyz then answers 503. */
  isShuttingDown?: () => boolean;
  /** Shown as `instance_id`, so a probe behind a balancer knows which instance answered. */
  instanceId?: string | undefined;
}

/** One probe answer: a JSON body (and its length in bytes) and the status it goes with. */
export interface ProbeAnswer {
  statusCode: number;
  body: string;
  byteLength: number;
}

/** The answers of the three probe routes, shared by the routes and the probe lane. */
export interface ProbeAnswers {
  health(): ProbeAnswer;
  livez(): ProbeAnswer;
  /** Undefined once shutdown has begun: that answer is the SERVICE_UNAVAILABLE error. */
  readyz(): ProbeAnswer | undefined;
}

/** The content type every probe answer carries. */
export const PROBE_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Ready when no top-level component is still starting or has failed. A degraded component (an
 * unverifiable channel, say) still serves traffic, so it does not take the instance out.
 */
export function isReady(health: HealthRegistry): boolean {
  for (const component of Object.values(health.snapshot())) {
    if (component.status === 'starting' || component.status === 'error') return false;
  }
  return true;
}

function answer(statusCode: number, value: unknown): ProbeAnswer {
  const body = JSON.stringify(value);
  return { statusCode, body, byteLength: Buffer.byteLength(body) };
}

/**
 * `/health` reports component states (503 when the overall status is `error`), `/livez` that the
 * process answers, `/readyz` whether this instance should get traffic. Never configuration or
 * secrets.
 */
export function createProbeAnswers(options: HealthRouteOptions): ProbeAnswers {
  const { health, isPaired, instanceId } = options;
  const instance = instanceId === undefined ? {} : { instance_id: instanceId };
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  const alive = answer(200, { status: 'alive' });
  const ready = answer(200, { status: 'ready' });
  // The serialized body is reused until a component reports or the paired flag flips: probes
  // and load balancers poll /health, and rebuilding the snapshot (a date string per component)
  // and stringifying it was most of its cost.
  let cached: { revision: number; paired: boolean; answer: ProbeAnswer } | undefined;
  return {
    health() {
      const revision = health.revision?.();
      const paired = isPaired();
      if (
        cached === undefined ||
        revision === undefined ||
        cached.revision !== revision ||
        cached.paired !== paired
      ) {
        const status = health.overall();
        // The body carries the state either way, so a probe can read why it is not ok.
        const body = { status, ...instance, paired, runtime: health.snapshot() };
        cached = {
          revision: revision ?? -1,
          paired,
          answer: answer(status === 'error' ? 503 : 200, body),
        };
      }
      return cached.answer;
    },
    livez: () => alive,
    readyz() {
      if (isShuttingDown()) return undefined;
      if (!isReady(health)) return answer(503, { status: 'not_ready', overall: health.overall() });
      return ready;
    },
  };
}

function sendProbe(reply: FastifyReply, probe: ProbeAnswer): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .type(PROBE_CONTENT_TYPE)
    .code(probe.statusCode)
    .send(probe.body);
}

/**
 * `GET /health`, `GET /livez` and `GET /readyz` (see createProbeAnswers). Public. Plain GETs of
 * these paths are usually answered by the probe lane before the framework sees them; these routes
 * answer the rest (HEAD, a query string, whatever the lane leaves) with the same bodies.
 */
export function healthRoutes(
  options: HealthRouteOptions,
  answers: ProbeAnswers = createProbeAnswers(options),
): RouteRegistrar {
  return function registerHealthRoutes(app) {
    app.get('/health', async function getHealth(_request, reply) {
      return sendProbe(reply, answers.health());
    });
    app.get('/livez', async function getLivez(_request, reply) {
      return sendProbe(reply, answers.livez());
    });
    app.get('/readyz', async function getReadyz(_request, reply) {
      const probe = answers.readyz();
      if (probe === undefined) {
        reply.header('cache-control', 'no-store');
        throw new GatewayError('SERVICE_UNAVAILABLE');
      }
      return sendProbe(reply, probe);
    });
  };
}
