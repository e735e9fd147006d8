/** Typed events that components report; an Observer fans them out to metrics and logs. */
export type ObserverEvent =
  | { type: 'AgentStart'; agent?: string; provider: string; model: string; channel: string }
  | { type: 'LlmRequest'; provider: string; model: string; messagesCount: number }
  | {
      type: 'LlmResponse';
      provider: string;
      model: string;
      durationMs: number;
      success: boolean;
      /** Already sanitized: never a key, token or upstream secret. */
      errorMessage?: string;
      inputTokens?: number;
      outputTokens?: number;
    }
  | {
      type: 'AgentEnd';
      /** Configured agent name (`default` when unset). */
      agent?: string;
      provider: string;
      model: string;
      durationMs: number;
      tokensUsed?: number;
    }
  /** `message` is already sanitized. */
  | { type: 'Error'; component: string; message: string }
  | { type: 'RequestLatency'; route: string; method: string; status: number; durationMs: number }
  | { type: 'HeartbeatTick' }
  | {
      type: 'ChannelMessage';
      channel: string;
      direction: 'inbound' | 'outbound' | 'dropped' | 'duplicate' | 'failed' | 'expired';
    }
  | { type: 'ActiveSessions'; count: number }
  /** A reply part found `sending` after a crash: the platform may or may not have it. */
  | {
      type: 'InboxUnknownOutcome';
      channel: string;
      resolution: 'reconciled' | 'resent' | 'skipped';
    };

export type ObserverEventType = ObserverEvent['type'];

/** The Observer port: receives every event; must never throw. */
export interface Observer {
  record(event: ObserverEvent): void;
}
