import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
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
  interface FastifyInstance {
    /**
     * Routes that are also answered without the framework (see PlainRoute); absent on an app that
     * was not made by createApp.
     */
    plainRoutes?: PlainRoutes;
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

/** A request as a plain route sees it: the body read whole, the same fields as the framework's. */
export interface PlainRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Always empty: a request with a query string goes to the framework. */
  query: Readonly<Record<string, string>>;
  /** Exact received body bytes. */
  rawBody: Buffer;
  clientKey: string;
  workSignal: CancelSignal;
}

/**
 * A `POST` route that can also be answered straight on node:http (src/server/plain-lane.ts), for
 * requests whose handling the framework adds nothing to: a JSON body of declared length, from a
 * client the guards let through. The framework route stays and answers everything else.
 */
export interface PlainRoute {
  /**
   * Whether the plain handler answers this request exactly as the framework route would. False
   * for anything the route's own hooks (a preHandler) would act on.
   */
  admits(headers: IncomingHttpHeaders): boolean;
  /** The JSON body of the 200 answer; throws what the framework handler would throw. */
  answer(request: PlainRequest): Promise<object>;
}

/** The table of plain routes by path, filled as routes are registered. */
export interface PlainRoutes {
  add(path: string, route: PlainRoute, errorShape?: ErrorShape): void;
}
