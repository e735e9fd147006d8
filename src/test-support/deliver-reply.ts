import type { DeliveringChannelAdapter } from '../channels/types.js';
import type { InboundMessage } from '../core/types.js';

/** Sends a whole reply the way the inbox does: `split` into stored parts, then each part. */
export async function deliverReply(
  adapter: DeliveringChannelAdapter,
  message: InboundMessage,
  text: string,
  signal: AbortSignal = AbortSignal.timeout(10_000),
): Promise<void> {
  for (const part of adapter.split(text)) await adapter.deliver({ message, text: part }, signal);
}
