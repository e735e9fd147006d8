import type { FastifyInstance } from 'fastify';

/** How often idle keep-alive sockets are reaped while draining. */
const IDLE_SWEEP_MS = 50;

/** What closeGracefully did. */
export interface CloseOutcome {
  /** True when the deadline passed and remaining connections were cut. */
  forced: boolean;
}

/**
 * Stops accepting connections, lets in-flight requests finish until `deadlineMs`, then cuts what
 * is left, and runs the app's onClose hooks (stores). Resolves once everything is closed.
 */
export async function closeGracefully(
  app: FastifyInstance,
  deadlineMs: number,
): Promise<CloseOutcome> {
  const server = app.server;
  let forced = false;
  // Node's server.close() reaps idle sockets only once; a keep-alive socket whose request was in
  // flight at that moment becomes idle later and would hold the close open until its keep-alive
  // timeout, so idle sockets are swept until the close completes.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const deadline = setTimeout(() => {
    forced = true;
    server.closeAllConnections();
  }, deadlineMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
  return { forced };
}
