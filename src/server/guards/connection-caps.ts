import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { normalizeIp, UNKNOWN_CLIENT } from '../../http/client-address.js';

/** Inputs of capConnections. */
export interface ConnectionCapsOptions {
  /** `gateway.max_connections`: sockets beyond it are closed at once by Node itself. */
  maxConnections: number;
  /** `gateway.max_connections_per_client`, counted per TCP peer address. */
  maxPerPeer: number;
  /** Peers exempt from the per-peer cap: trusted proxies, which carry many clients' sockets. */
  isExempt: (peer: string) => boolean;
}

const kPeer = Symbol('gatehouse.counted peer');
/** A socket counted against its peer, until its 'close'. */
type PeerSocket = Socket & { [kPeer]?: string | undefined };

/**
 * Caps open sockets in total and per peer. Only the peer address is known at accept (forwarded
 * headers come later), so the per-client request cap (`limitRequestsPerClient`) covers clients
 * behind a proxy. Returns a detach function.
 */
export function capConnections(server: Server, options: ConnectionCapsOptions): () => void {
  const previousMax = server.maxConnections;
  server.maxConnections = options.maxConnections;
  const open = new Map<string, number>();

  // One listener for every socket, the peer kept on the socket: no closure per connection.
  function peerSocketClosed(this: PeerSocket): void {
    const peer = this[kPeer];
    if (peer === undefined) return;
    this[kPeer] = undefined;
    const remaining = (open.get(peer) ?? 1) - 1;
    if (remaining <= 0) open.delete(peer);
    else open.set(peer, remaining);
  }

  const onConnection = (socket: PeerSocket): void => {
    const peer = normalizeIp(socket.remoteAddress ?? '') ?? UNKNOWN_CLIENT;
    if (options.isExempt(peer)) return;
    const count = open.get(peer) ?? 0;
    if (count >= options.maxPerPeer) {
      // No request has been read yet, so there is nothing to answer: close at once.
      socket.destroy();
      return;
    }
    open.set(peer, count + 1);
    socket[kPeer] = peer;
    socket.on('close', peerSocketClosed);
  };
  // Before every other 'connection' listener, so a refused socket costs no guard state.
  server.prependListener('connection', onConnection);
  return () => {
    server.off('connection', onConnection);
    server.maxConnections = previousMax;
  };
}
