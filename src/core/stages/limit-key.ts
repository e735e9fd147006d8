import type { DispatchRequest } from '../types.js';

/** Whose messages a rate limit or budget counts together. */
export type LimitKeyKind = 'subject' | 'sender' | 'channel' | 'client';

/** Channels that answer inline; elsewhere a limit answers with a notice reply instead. */
export const SYNC_CHANNELS: ReadonlySet<string> = new Set(['api', 'web', 'openai']);

/**
 * The key a limit counts under. `subject`: the JWT `sub` or paired token id, or the platform
 * sender on async channels (their principal is the channel itself, shared by everyone);
 * `sender`: the channel's sender id; `channel`: the channel name; `client`: the client address,
 * or the sender on async channels (there the address is the platform's).
 */
export function limitKey(kind: LimitKeyKind, request: DispatchRequest): string {
  const { message, principal } = request;
  const sender = `${message.channel}:${message.senderId}`;
  switch (kind) {
    case 'subject':
      return principal.kind === 'channel' ? sender : principal.id;
    case 'sender':
      return sender;
    case 'channel':
      return message.channel;
    case 'client':
      return request.clientKey === undefined ? sender : `client:${request.clientKey}`;
  }
}
