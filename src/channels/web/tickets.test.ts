import { describe, expect, it } from 'vitest';
import type { Principal } from '../../core/types.js';
import { createFakeClock } from '../../test-support/fake-clock.js';
import { createMemoryStateStore } from '../../state/index.js';
import { createTicketStore, TICKET_NAMESPACE } from './tickets.js';

const principal: Principal = {
  id: 'jwt:user:alice',
  kind: 'jwt',
  scopes: new Set(['channels:web']),
  jti: 'j1',
  expiresAt: Date.UTC(2030, 0, 1),
};

describe('createTicketStore', () => {
  it('binds a ticket to its principal and lets it be used once', async () => {
    const tickets = createTicketStore({ store: createMemoryStateStore() });
    const { ticket, expiresIn } = await tickets.issue(principal);
    expect(expiresIn).toBe(30);
    expect(await tickets.consume(ticket)).toEqual(principal);
    await expect(tickets.consume(ticket)).rejects.toMatchObject({ code: 'WS_TICKET_INVALID' });
  });

  it('lets only one of two racing consumers win', async () => {
    const tickets = createTicketStore({ store: createMemoryStateStore() });
    const { ticket } = await tickets.issue(principal);
    const results = await Promise.allSettled([tickets.consume(ticket), tickets.consume(ticket)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses a ticket after 30 s', async () => {
    const clock = createFakeClock();
    const tickets = createTicketStore({ store: createMemoryStateStore({ clock: clock.now }) });
    const { ticket } = await tickets.issue(principal);
    clock.advance(30_001);
    await expect(tickets.consume(ticket)).rejects.toMatchObject({ code: 'WS_TICKET_INVALID' });
  });

  it('never stores the ticket itself', async () => {
    const store = createMemoryStateStore();
    const { ticket } = await createTicketStore({ store }).issue(principal);
    const entries = await store.list(TICKET_NAMESPACE);
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(ticket);
  });

  it('refuses malformed tickets without a store lookup', async () => {
    const tickets = createTicketStore({ store: createMemoryStateStore() });
    await expect(tickets.consume('../etc')).rejects.toMatchObject({ code: 'WS_TICKET_INVALID' });
  });
});
