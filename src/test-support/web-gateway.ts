import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createAuthenticator } from '../auth/authenticate.js';
import { createJwtService } from '../auth/jwt.js';
import type { JwtService } from '../auth/jwt.js';
import { createRevocationList } from '../auth/revocations.js';
import type { RevocationList } from '../auth/revocations.js';
import { configSchema } from '../config/schema.js';
import type { WebChannelConfig } from '../config/schema.js';
import type { DispatchRequest, DispatchResult, Principal } from '../core/types.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { ObserverEvent } from '../observability/types.js';
import { createMemoryStateStore } from '../state/index.js';
import type { StateStore } from '../state/types.js';
import { createTicketStore } from '../channels/web/tickets.js';
import type { TicketStore } from '../channels/web/tickets.js';
import { selfOriginsFor } from '../http/origin-policy.js';
import { webChannel } from '../channels/web/web-channel.js';
import type { WebChannel, WebChannelTimings } from '../channels/web/web-channel.js';

/** A paired token the harness accepts. */
export const TEST_PAIRED_TOKEN = 'gth_' + 'P'.repeat(43);
/** Admin secret the harness's admin guard expects in `x-admin-secret`. */
export const TEST_ADMIN_SECRET = 'admin-secret-for-tests';

/** One call the fake dispatch received. */
export interface DispatchCall {
  request: DispatchRequest;
  /** Resolves when the request's signal aborts. */
  aborted: Promise<void>;
}

export interface WebGatewayOptions {
  web?: Partial<WebChannelConfig>;
  timings?: Partial<WebChannelTimings>;
  /** Wraps the ticket store (e.g. to hold consumption open for the pending-cap test). */
  wrapTickets?: (tickets: TicketStore) => TicketStore;
}

export interface WebGateway {
  app: FastifyInstance;
  port: number;
  httpUrl(path: string): string;
  wsUrl(path: string): string;
  jwt: JwtService;
  store: StateStore;
  revocations: RevocationList;
  channel: WebChannel;
  calls: DispatchCall[];
  events: ObserverEvent[];
  /** Resolves with the n-th dispatch call (0-based) once it arrives. */
  call(index: number): Promise<DispatchCall>;
  ticketFor(authorization: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real listening Fastify app with the web channel, a memory StateStore and a fake dispatch that
 * streams by the message text: "slow" waits for its abort, "big:<n>" sends n 64 KiB deltas, "fail"
 * throws a GatewayError, "crash" throws an upstream-looking error; anything else streams three
 * deltas with small delays.
 */
export async function startWebGateway(options: WebGatewayOptions = {}): Promise<WebGateway> {
  const config = configSchema.parse({ channels_config: { web: options.web ?? {} } });
  const store = createMemoryStateStore();
  const revocations = createRevocationList({ store });
  const jwt = createJwtService({
    secret: 'test-secret-'.repeat(4),
    issuer: config.gateway.auth.jwt_issuer,
    audience: config.gateway.auth.jwt_audience,
    isRevoked: revocations.isRevoked,
  });
  const pairedGuard = (token: string): Principal => {
    if (token !== TEST_PAIRED_TOKEN) throw new GatewayError('AUTH_INVALID_TOKEN');
    return { id: 'paired:test', kind: 'paired', scopes: new Set(['channels:api', 'channels:web']) };
  };
  const authenticator = createAuthenticator({ pairedGuard, jwt, requirePairing: true });
  const baseTickets = createTicketStore({ store });
  const tickets = options.wrapTickets?.(baseTickets) ?? baseTickets;
  const calls: DispatchCall[] = [];
  const callWaiters: Array<() => void> = [];
  const events: ObserverEvent[] = [];
  let port = 0;

  const channel = webChannel({
    config,
    dispatch: async (request) => {
      const aborted = new Promise<void>((resolve) => {
        if (request.signal.aborted) resolve();
        request.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      calls.push({ request, aborted });
      callWaiters.splice(0).forEach((wake) => wake());
      return fakeTurn(request, aborted);
    },
    authenticator,
    tickets,
    revocations,
    observer: { record: (event) => events.push(event) },
    logger: pino({ level: 'silent' }),
    selfOrigins: () => selfOriginsFor('127.0.0.1', port),
    adminGuard: async (request) => {
      if (request.headers['x-admin-secret'] !== TEST_ADMIN_SECRET) {
        throw new GatewayError('ADMIN_FORBIDDEN');
      }
    },
    ...(options.timings === undefined ? {} : { timings: options.timings }),
  });

  const app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    if (isGatewayError(error)) return reply.code(error.status).send(error.toBody());
    return reply.code(500).send({ error: 'Internal server error', code: 'INTERNAL' });
  });
  await app.register(async (scope) => channel.routes(scope));
  const detach = channel.attach(app.server);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;

  return {
    app,
    port,
    httpUrl: (path) => `http://127.0.0.1:${port}${path}`,
    wsUrl: (path) => `ws://127.0.0.1:${port}${path}`,
    jwt,
    store,
    revocations,
    channel,
    calls,
    events,
    async call(index) {
      while (calls.length <= index) await new Promise<void>((wake) => callWaiters.push(wake));
      return calls[index] as DispatchCall;
    },
    async ticketFor(authorization) {
      const response = await fetch(`http://127.0.0.1:${port}/ws/ticket`, {
        method: 'POST',
        headers: { authorization },
      });
      const body = (await response.json()) as { ticket?: string };
      if (response.status !== 200 || body.ticket === undefined) {
        throw new Error(`ticket refused: ${response.status} ${JSON.stringify(body)}`);
      }
      return body.ticket;
    },
    async close() {
      channel.closeAll();
      detach();
      await app.close();
      await store.close();
    },
  };
}

async function fakeTurn(request: DispatchRequest, aborted: Promise<void>): Promise<DispatchResult> {
  const text = request.message.text;
  const emit = (delta: string): void => request.onDelta?.(delta);
  if (text === 'slow') {
    emit('thinking');
    await aborted;
    throw new GatewayError('MESSAGE_CANCELLED');
  }
  if (text === 'fail') throw new GatewayError('LLM_REQUEST_FAILED');
  if (text === 'crash') throw new Error('upstream said: invalid key sk-secret-123');
  if (text.startsWith('big:')) {
    const chunk = 'x'.repeat(65536);
    for (let i = 0; i < Number(text.slice(4)) && !request.signal.aborted; i += 1) {
      emit(chunk);
      await delay(0);
    }
    return { response: 'big', model: 'fake-1', duplicate: false };
  }
  const deltas = ['Hel', 'lo, ', text];
  for (const delta of deltas) {
    await delay(5);
    if (request.signal.aborted) throw new GatewayError('MESSAGE_CANCELLED');
    emit(delta);
  }
  return { response: deltas.join(''), model: 'fake-1', duplicate: false };
}
