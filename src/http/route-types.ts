import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { CancelSignal } from '../core/cancel-signal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Aborts when the request times out (408) or the client goes away; pass it to downstream work
     * (provider calls) so nothing keeps running for a request nobody waits for.
     */
    workSignal: CancelSignal;
    /** Client key for limits and lockouts: the peer IP, or a forwarded IP only when trusted. */
    clientKey: string;
    /** Exact received body bytes (empty when there was no body). */
    rawBody: Buffer;
  }
  interface FastifyContextConfig {
    /** Error body shape of the route: the gateway's `{error, code}` (default) or OpenAI's. */
    errorShape?: ErrorShape;
  }
}

/** How a route's error bodies are written. */
export type ErrorShape = 'gateway' | 'openai';

/** Registers one feature's routes on the app (pair, webhook, channels, ws...). */
export type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

/** onRequest hook signature used by the guards. */
export type OnRequestGuard = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;
