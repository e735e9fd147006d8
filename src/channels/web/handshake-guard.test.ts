import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandshakeGuard, OVER_CAP_GRACE_MS } from './handshake-guard.js';
import { createPendingUpgrades } from './pending-upgrades.js';

const PROXY = '127.0.0.1';
const peers = new WeakMap<Duplex, string>();
const streams: PassThrough[] = [];

function socketFrom(peer: string): Duplex {
  const stream = new PassThrough();
  peers.set(stream, peer);
  streams.push(stream);
  return stream;
}

afterEach(() => {
  for (const stream of streams.splice(0)) stream.destroy();
});

function guardWithCap(cap: number) {
  const pending = createPendingUpgrades(cap);
  const guard = createHandshakeGuard({
    pending,
    handshakeTimeoutMs: 10_000,
    peerKeyOf: (socket) => peers.get(socket) ?? 'unknown',
    isExemptPeer: (peer) => peer === PROXY,
  });
  return { pending, guard };
}

describe('handshake guard behind a trusted proxy', () => {
  it('does not count a trusted proxy’s fresh sockets against one shared peer key', () => {
    const { pending, guard } = guardWithCap(2);
    for (let index = 0; index < 5; index += 1) guard.accept(socketFrom(PROXY));
    expect(pending.count(PROXY)).toBe(0);
    guard.accept(socketFrom('198.51.100.1'));
    expect(pending.count('198.51.100.1')).toBe(1);
  });

  it('counts upgrades arriving through the proxy against the client behind it', () => {
    const { pending, guard } = guardWithCap(2);
    const sockets = Array.from({ length: 3 }, () => socketFrom(PROXY));
    for (const socket of sockets) guard.accept(socket);
    expect(guard.holdForUpgrade(sockets[0] as Duplex, '203.0.113.5')).toBe(true);
    expect(guard.holdForUpgrade(sockets[1] as Duplex, '203.0.113.5')).toBe(true);
    // The third upgrade from the same client is over its cap; another client is not.
    expect(guard.holdForUpgrade(sockets[2] as Duplex, '203.0.113.5')).toBe(false);
    const other = socketFrom(PROXY);
    guard.accept(other);
    expect(guard.holdForUpgrade(other, '203.0.113.6')).toBe(true);
    expect(pending.count('203.0.113.5')).toBe(2);
    // An accepted upgrade frees its client's slot.
    guard.upgraded(sockets[0] as Duplex);
    expect(pending.count('203.0.113.5')).toBe(1);
  });

  it('still counts an untrusted peer at accept, so its upgrade takes no second slot', () => {
    const { pending, guard } = guardWithCap(2);
    const socket = socketFrom('198.51.100.1');
    guard.accept(socket);
    expect(guard.holdForUpgrade(socket, '198.51.100.1')).toBe(true);
    expect(pending.count('198.51.100.1')).toBe(1);
  });
});

describe('handshake guard after an upgrade', () => {
  it('leaves nothing of itself on an upgraded socket, and frees its slot on close before that', () => {
    const { pending, guard } = guardWithCap(2);
    const upgraded = socketFrom('198.51.100.1');
    const before = upgraded.listenerCount('close');
    guard.accept(upgraded);
    expect(guard.holdForUpgrade(upgraded, '198.51.100.1')).toBe(true);
    guard.upgraded(upgraded);
    expect(upgraded.listenerCount('close')).toBe(before);
    expect(pending.count('198.51.100.1')).toBe(0);
    // A socket that closes while still counted gives its slot back.
    const dropped = socketFrom('198.51.100.1');
    guard.accept(dropped);
    expect(pending.count('198.51.100.1')).toBe(1);
    dropped.destroy();
    return new Promise<void>((resolve) => {
      dropped.once('close', () => {
        expect(pending.count('198.51.100.1')).toBe(0);
        resolve();
      });
    });
  });
});

describe('handshake guard between keep-alive requests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function start(guard: ReturnType<typeof createHandshakeGuard>, socket: Duplex): EventEmitter {
    const response = new EventEmitter();
    guard.requestStarted({ socket } as IncomingMessage, response as unknown as ServerResponse);
    return response;
  }

  /** A socket accepted under its peer's cap (10 s deadline). */
  function accepted() {
    const { guard } = guardWithCap(2);
    const socket = socketFrom('198.51.100.1');
    guard.accept(socket);
    return { guard, socket };
  }

  /** A socket accepted while its peer is at its cap of one (the short grace first). */
  function acceptedOverCap() {
    const { guard } = guardWithCap(1);
    guard.accept(socketFrom('198.51.100.1'));
    const socket = socketFrom('198.51.100.1');
    guard.accept(socket);
    return { guard, socket };
  }

  it('re-arms the deadline once every request on the socket has closed, each counted once', () => {
    const { guard, socket } = accepted();
    const first = start(guard, socket);
    const second = start(guard, socket);
    // A response reporting close twice must not count as the other request finishing.
    first.emit('close');
    first.emit('close');
    vi.advanceTimersByTime(20_000);
    expect(socket.destroyed).toBe(false);
    second.emit('close');
    vi.advanceTimersByTime(9_999);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(socket.destroyed).toBe(true);
  });

  it('gives a socket accepted over its cap the full deadline after its first request', () => {
    const { guard, socket } = acceptedOverCap();
    start(guard, socket).emit('close');
    vi.advanceTimersByTime(OVER_CAP_GRACE_MS);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(10_000 - OVER_CAP_GRACE_MS);
    expect(socket.destroyed).toBe(true);
  });

  it('still closes an over-cap socket that sends no request within the grace', () => {
    const { socket } = acceptedOverCap();
    vi.advanceTimersByTime(OVER_CAP_GRACE_MS);
    expect(socket.destroyed).toBe(true);
  });

  it('restarts the deadline from the end of a request that outlasted it', () => {
    const { guard, socket } = accepted();
    const slow = start(guard, socket);
    vi.advanceTimersByTime(25_000);
    slow.emit('close');
    vi.advanceTimersByTime(9_999);
    expect(socket.destroyed).toBe(false);
    start(guard, socket).emit('close');
    vi.advanceTimersByTime(9_999);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(socket.destroyed).toBe(true);
  });

  it('closes no socket while a request on it is in progress', () => {
    const { guard, socket } = accepted();
    start(guard, socket);
    vi.advanceTimersByTime(60_000);
    expect(socket.destroyed).toBe(false);
  });
});
