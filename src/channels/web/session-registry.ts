import type { Observer } from '../../observability/types.js';

/** What an operator sees about a live session (never a credential). */
export interface SessionInfo {
  session_id: string;
  principal_id: string;
  principal_kind: string;
  jti?: string;
  channel: 'web';
  agent: string;
  client_key: string;
  /** RFC 3339. */
  connected_at: string;
  /** RFC 3339, when the credential expires. */
  expires_at?: string;
  /** The instance holding the socket (listed across instances with shared state). */
  instance_id?: string;
}

/** Sessions as the operator's `sessions list|kill` sees them: possibly on every instance. */
export interface SessionDirectory {
  list(): Promise<SessionInfo[]>;
  /** Closes the session wherever it lives; false when no such session is known. */
  kill(sessionId: string): Promise<boolean>;
}

/** A registered session: its public info and how to close it. */
export interface RegisteredSession {
  /** May be built on each read: `sessions list` reads it, the other operations do not. */
  readonly info: SessionInfo;
  readonly sessionId: string;
  /** The credential's revocation handle (`info.jti`), for `closeByJti`. */
  readonly jti: string | undefined;
  close(code: number, reason: string): void;
}

/** Live WebSocket sessions, for `sessions list/kill`, revocation and shutdown. */
export interface SessionRegistry {
  add(session: RegisteredSession): void;
  remove(sessionId: string): void;
  list(): SessionInfo[];
  count(): number;
  /** Closes one session; false when no such session is live. */
  close(sessionId: string, code: number, reason: string): boolean;
  /** Closes every session authenticated with `jti`; returns how many. */
  closeByJti(jti: string, code: number, reason: string): number;
  closeAll(code: number, reason: string): void;
}

/** Builds a registry that reports `ActiveSessions` on every change. */
export function createSessionRegistry(observer: Observer): SessionRegistry {
  const sessions = new Map<string, RegisteredSession>();
  const report = (): void => observer.record({ type: 'ActiveSessions', count: sessions.size });

  return {
    add(session) {
      sessions.set(session.sessionId, session);
      report();
    },
    remove(sessionId) {
      if (sessions.delete(sessionId)) report();
    },
    list: () => [...sessions.values()].map((session) => ({ ...session.info })),
    count: () => sessions.size,
    close(sessionId, code, reason) {
      const session = sessions.get(sessionId);
      if (session === undefined) return false;
      session.close(code, reason);
      return true;
    },
    closeByJti(jti, code, reason) {
      const matching = [...sessions.values()].filter((session) => session.jti === jti);
      for (const session of matching) session.close(code, reason);
      return matching.length;
    },
    closeAll(code, reason) {
      for (const session of [...sessions.values()]) session.close(code, reason);
    },
  };
}
