/** WebSocket close codes the gateway uses (4000–4999 are application codes, RFC 6455 §7.4.2). */
export const CLOSE_CODES = {
  /** Server shutting down (RFC 6455 "going away"). */
  GOING_AWAY: 1001,
  /** No message within idle_timeout_secs. */
  IDLE_TIMEOUT: 4000,
  /** The credential was revoked or expired; the client must authenticate again. */
  AUTH_ENDED: 4001,
  /** An operator killed the session (`gatehouse sessions kill`). */
  KILLED: 4002,
  /** The client did not read fast enough; its send buffer passed max_buffered_bytes. */
  SLOW_CONSUMER: 4008,
} as const;
