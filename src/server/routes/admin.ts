import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { PairingGuard } from '../../auth/pairing.js';
import { constantTimeEqual } from '../../auth/constant-time.js';
import { GatewayError } from '../../errors.js';
import { isLoopbackAddress } from '../../http/loopback.js';
import type { ReloadResult } from '../../runtime/reload-hub.js';
import type { RouteRegistrar } from '../types.js';

/** Header carrying the local admin secret. */
export const ADMIN_SECRET_HEADER = 'x-admin-secret';

/**
 * True for a TCP peer on this machine (`isLoopbackAddress`: 127.0.0.0/8, ::1, IPv4-mapped 127.x).
 * A socket whose address is undefined (already destroyed) is not loopback.
 */
export function isLoopbackPeer(address: string | undefined): boolean {
  return address !== undefined && isLoopbackAddress(address);
}

/** Headers a proxy or tunnel adds on behalf of another client; the local CLI sends none. */
export const PROXY_HEADERS = [
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
  'cf-connecting-ip',
  'true-client-ip',
  'x-forwarded-host',
] as const;

/**
 * True when the request carries any proxy header, even an empty one. A tunnel (cloudflared,
 * ngrok) or a local reverse proxy connects from 127.0.0.1, so the socket alone cannot tell the
 * operator's CLI from internet traffic relayed through it; these headers can.
 */
export function isProxiedRequest(headers: IncomingHttpHeaders): boolean {
  return PROXY_HEADERS.some((name) => headers[name] !== undefined);
}

/**
 * A preHandler for admin routes: the TCP peer must be loopback, the request must not have come
 * through a proxy, AND it must carry the local admin secret. The peer is the socket's address,
 * never X-Forwarded-For / X-Real-IP: those are set by whoever sends the request, and a local
 * reverse proxy would otherwise turn every remote client into "loopback".
 */
export function requireAdmin(adminSecret: string) {
  if (adminSecret.length === 0) throw new Error('Admin secret must not be empty');
  return async function requireAdminPeer(request: FastifyRequest): Promise<void> {
    const header = request.headers[ADMIN_SECRET_HEADER];
    const presented = typeof header === 'string' ? header : '';
    // Compare even for a remote peer so both refusals cost the same.
    const secretOk = constantTimeEqual(presented, adminSecret);
    const local =
      isLoopbackPeer(request.socket.remoteAddress) && !isProxiedRequest(request.headers);
    if (!local || !secretOk) {
      throw new GatewayError('ADMIN_FORBIDDEN');
    }
  };
}

export interface AdminRoutesOptions {
  guard: Pick<PairingGuard, 'issueCode'>;
  adminSecret: string;
  /** `POST /admin/reload`: re-read the config file and apply what can change while running. */
  reload?: () => Promise<ReloadResult>;
}

/**
 * Loopback admin endpoints. `POST /admin/pair-code` issues a fresh pairing code (replacing the
 * previous one). Other admin routes reuse `requireAdmin` as their preHandler.
 */
export function adminRoutes(options: AdminRoutesOptions): RouteRegistrar {
  const preHandler = requireAdmin(options.adminSecret);
  return function registerAdminRoutes(app) {
    app.post('/admin/pair-code', { preHandler }, async function issuePairCode(_request, reply) {
      return reply
        .header('cache-control', 'no-store')
        .send({ code: await options.guard.issueCode() });
    });
    const { reload } = options;
    if (reload !== undefined) {
      // 200 either way: an invalid file is an answer about the file, not a failed request.
      app.post('/admin/reload', { preHandler }, async function reloadConfig(_request, reply) {
        const result = await reload();
        return reply.header('cache-control', 'no-store').send(
          result.ok
            ? {
                ok: true,
                changed: result.changed,
                applied: result.applied,
                restart_required: result.restartRequired,
              }
            : { ok: false, error: result.error },
        );
      });
    }
  };
}
