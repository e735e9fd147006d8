import type { ChatMessage, ChatUsage } from '../providers/types.js';
import type { CancelSignal } from './cancel-signal.js';

/**
 * A channel module's name (`api`, `web`, `whatsapp`…). Open on purpose: the channel list in
 * `channels/modules.ts` is the one place that knows which channels exist.
 */
export type ChannelName = string;

/** A message from any channel, normalized by its adapter. */
export interface InboundMessage {
  channel: ChannelName;
  /** Platform sender id (E.164 number, Slack user id, Telegram numeric id, principal id). */
  senderId: string;
  /** Conversation key: memory history and per-conversation ordering use it. */
  conversationId: string;
  text: string;
  /** The platform's message id (wamid, Slack event_id, Telegram update_id, request id). */
  messageId: string;
  /** Channel-specific delivery address (phone number, `channel:thread_ts`, `chat_id:message_id`). */
  replyTarget: string;
  /** Epoch milliseconds when the gateway received it. */
  receivedAt: number;
}

/** Who sent a request, after authentication. Scopes are fixed at authentication time. */
export interface Principal {
  /** Stable id used to scope idempotency keys: `paired:<hash prefix>`, `jwt:<sub>`, `channel:<name>`. */
  id: string;
  kind: 'paired' | 'jwt' | 'anonymous' | 'channel';
  scopes: ReadonlySet<string>;
  /** Revocation handle: the JWT id, or `paired:<token hash>` for a paired token. */
  jti?: string;
  /** Epoch ms when the credential expires. */
  expiresAt?: number;
}

/** One agent: a provider, a model and how to prompt it. */
export interface AgentSpec {
  name: string;
  provider: string;
  model: string;
  systemPrompt: string;
  temperature: number;
  maxTokens: number;
  historyWindow: number;
}

/** Input to the core dispatch, identical for every channel. */
export interface DispatchRequest {
  message: InboundMessage;
  principal: Principal;
  /** Client-supplied idempotency key (already validated), scoped by principal. */
  idempotencyKey?: string;
  signal: CancelSignal;
  /** The client address (`client` limit key); absent on async channels (the platform calls). */
  clientKey?: string;
  /** True when the caller just made up `conversationId`, so there is no history to load. */
  freshConversation?: boolean;
  /**
   * When set, the agent turn streams and each text delta is passed here in order, after the
   * outbound stages' reply transforms (a channel never sees text an outbound stage held back).
   */
  onDelta?: (delta: string) => void;
  /**
   * Prior messages the client sent with this one (stateless APIs such as `/v1/chat/completions`,
   * where the client owns the conversation): used instead of the stored history, and not stored.
   */
  conversation?: ChatMessage[];
  /** Per-request generation limits the client asked for (never above the agent's). */
  generation?: { temperature?: number; maxTokens?: number };
  /**
   * The agent the client asked for (the `/v1` model). It answers when no routing rule matches;
   * a matching rule wins, so rules stay a policy the client cannot step around.
   */
  agent?: string;
  /** Called once with the chosen agent's name, after routing and before any stage or delta. */
  onRouted?: (agent: string) => void;
}

/** Output of the core dispatch. */
export interface DispatchResult {
  response: string;
  model: string;
  /** Name of the agent that answered (always set by createDispatch; fakes may omit it). */
  agent?: string;
  /** True when the answer was replayed from an earlier request with the same idempotency key. */
  duplicate: boolean;
  /** Async channels: nothing is sent back (a rate-limited message past its one notice). */
  noReply?: boolean;
  /** Token usage, when the upstream reported it. */
  usage?: ChatUsage;
}

/** The core dispatch function every channel calls. */
export type Dispatch = (request: DispatchRequest) => Promise<DispatchResult>;

/** What stages see and change while one message goes through the core. */
export interface TurnContext {
  /** Replaced (never mutated) by a stage that changes the message, e.g. a redacting filter. */
  request: DispatchRequest;
  agent: AgentSpec;
  /** Prior turns of this conversation, oldest first (filled by the history stage). */
  history: ChatMessage[];
  /** Index of the `[[routing.rules]]` entry that chose the agent; undefined for the default. */
  ruleIndex?: number;
  /** Where the agent step writes reply text; it passes through the outbound transforms. */
  reply: ReplyStream;
  /** Tokens the provider reported for this turn (streamed or not); budgets count them. */
  usage?: { inputTokens: number; outputTokens: number };
  /** Policy marks for the audit record (`flagged`, `blocked`), set by content_filter. */
  marks?: {
    flagged?: boolean;
    blocked?: 'inbound' | 'outbound';
    /** Stopped by rate_limit or budget; the code says which. */
    limited?: 'RATE_LIMITED' | 'BUDGET_EXCEEDED';
  };
  /** Set by the agent step (with the transformed reply), read by outbound stages. */
  result?: DispatchResult;
}

/**
 * Changes reply text on its way out, chunk by chunk, so streamed and whole replies get the same
 * treatment. `write` returns the text that may be released now (possibly less than it was
 * given, held back until it is safe); `end` returns the rest once the reply is complete.
 */
export interface ReplyTransform {
  write(delta: string): string;
  end(): string;
}

/** The reply as the agent produces it; every write goes through the outbound transforms. */
export interface ReplyStream {
  write(delta: string): void;
  /** Flushes held-back text and returns the whole transformed reply. */
  end(): string;
  /**
   * Keeps released text from the channel until `gate` settles (fulfilled or rejected); it is
   * transformed and part of `end()`'s reply meanwhile. Several gates hold until the last settles.
   * Resolves once the held text was delivered, in order; rejects if the channel's sink threw,
   * and every later `write` then throws the same error.
   */
  holdUntil(gate: Promise<unknown>): Promise<void>;
}

/** A named pipeline step. Calling `next` runs the rest of the pipeline (at most once). */
export type Stage = (ctx: TurnContext, next: () => Promise<void>) => Promise<void>;

/** A stage with the name it is configured by. */
export interface NamedStage {
  name: string;
  run: Stage;
  /** Outbound only: a per-turn transform of the reply text (streamed or not). */
  transformReply?: (ctx: TurnContext) => ReplyTransform | undefined;
}
