import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { normalizeIp, UNKNOWN_CLIENT } from '../../http/client-address.js';
import { KeyCounts } from '../../http/key-counts.js';

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
  const open = new KeyCounts();

  // One listener for every socket, the peer kept on the socket: no closure per connection.
  function peerSocketClosed(this: PeerSocket): void {
    const peer = this[kPeer];
    if (peer === undefined) return;
    this[kPeer] = undefined;
    open.remove(peer);
  }

  const onConnection = (socket: PeerSocket): void => {
    const peer = normalizeIp(socket.remoteAddress ?? '') ?? UNKNOWN_CLIENT;
    if (options.isExempt(peer)) return;
    if (open.count(peer) >= options.maxPerPeer) {
      // No request has been read yet, so there is nothing to answer: close at once.
      socket.destroy();
      return;
    }
    open.add(peer);
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
