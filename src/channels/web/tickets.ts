import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Principal } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import type { StateStore } from '../../state/types.js';

/** StateStore namespace of outstanding WebSocket tickets (keyed by the ticket's SHA-256). */
export const TICKET_NAMESPACE = 'ws-ticket';
/** Ticket lifetime; the issue fixes it at 30 s. */
export const TICKET_TTL_SECS = 30;

const storedPrincipalSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(['paired', 'jwt', 'anonymous', 'channel']),
  scopes: z.array(z.string()),
  jti: z.string().optional(),
  expiresAt: z.number().optional(),
});

/** Single-use, short-lived tickets that carry an authenticated principal into a WebSocket upgrade. */
export interface TicketStore {
  issue(principal: Principal): Promise<{ ticket: string; expiresIn: number }>;
  /** Returns the bound principal and invalidates the ticket; throws WS_TICKET_INVALID. */
  consume(ticket: string): Promise<Principal>;
}

export interface TicketStoreOptions {
  store: StateStore;
  ttlSecs?: number;
}

// Tickets are 256-bit random values, so a single SHA-256 is enough to keep them out of the store
// in usable form (a leaked state.db or Redis dump cannot be replayed).
const keyOf = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');
const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Builds the ticket store over the shared StateStore so tickets work across instances. */
export function createTicketStore(options: TicketStoreOptions): TicketStore {
  const ttlSecs = options.ttlSecs ?? TICKET_TTL_SECS;
  const { store } = options;

  return {
    async issue(principal) {
      const ticket = randomBytes(32).toString('base64url');
      const value = JSON.stringify({
        id: principal.id,
        kind: principal.kind,
        scopes: [...principal.scopes],
        jti: principal.jti,
        expiresAt: principal.expiresAt,
      });
      const written = await store.setIfAbsent(
        TICKET_NAMESPACE,
        keyOf(ticket),
        value,
        ttlSecs * 1000,
      );
      // A collision of 256 random bits means the RNG is broken; refuse rather than share a ticket.
      if (!written) throw new GatewayError('INTERNAL');
      return { ticket, expiresIn: ttlSecs };
    },
    async consume(ticket) {
      if (!TICKET_PATTERN.test(ticket)) throw new GatewayError('WS_TICKET_INVALID');
      const key = keyOf(ticket);
      const value = await store.get(TICKET_NAMESPACE, key);
      // Only the caller whose delete removed the entry wins, so two racing upgrades (even on two
      // instances) cannot both use one ticket.
      if (value === undefined || !(await store.delete(TICKET_NAMESPACE, key))) {
        throw new GatewayError('WS_TICKET_INVALID');
      }
      return decodePrincipal(value);
    },
  };
}

function decodePrincipal(value: string): Principal {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (error) {
    // Only a corrupted store entry gets here; the ticket is unusable either way.
    throw new GatewayError('WS_TICKET_INVALID', { cause: error });
  }
  const parsed = storedPrincipalSchema.safeParse(raw);
  if (!parsed.success) throw new GatewayError('WS_TICKET_INVALID');
  const { scopes, ...rest } = parsed.data;
  return { ...rest, scopes: new Set(scopes) };
}
