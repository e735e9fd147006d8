import type { ReplyStream, ReplyTransform } from './types.js';

/**
 * Chains reply transforms in order and delivers what the last one releases to `sink`. The agent
 * step writes raw provider text here; nothing reaches a channel except through this chain, so an
 * outbound content filter covers streamed replies exactly as it covers whole ones.
 */
export function createReplyStream(
  transforms: readonly ReplyTransform[],
  sink?: (delta: string) => void,
): ReplyStream {
  let released = '';
  let ended = false;
  // Released text the sink may not have yet (see holdUntil), oldest first.
  let held: string[] | undefined;
  let gates = 0;
  // What the sink threw while held text was delivered: the writer hears it on its next write, as
  // it would have had the text not been held, so a provider stops its upstream call.
  let deliveryFailure: { error: unknown } | undefined;

  function pass(text: string, from: number): string {
    let current = text;
    for (let index = from; index < transforms.length; index += 1) {
      const transform = transforms[index];
      if (transform !== undefined && current !== '') current = transform.write(current);
    }
    return current;
  }

  function release(text: string): void {
    if (text === '') return;
    released += text;
    if (held !== undefined) held.push(text);
    else sink?.(text);
  }

  function open(): void {
    gates -= 1;
    if (gates > 0 || held === undefined) return;
    const queued = held;
    held = undefined;
    try {
      for (const text of queued) sink?.(text);
    } catch (error) {
      deliveryFailure = { error };
      throw error;
    }
  }

  return {
    write(delta) {
      if (ended) throw new Error('reply written after it ended');
      if (deliveryFailure !== undefined) throw deliveryFailure.error;
      release(pass(delta, 0));
    },
    end() {
      if (ended) return released;
      ended = true;
      // Each transform's tail still goes through the transforms after it.
      for (const [index, transform] of transforms.entries()) {
        release(pass(transform.end(), index + 1));
      }
      return released;
    },
    holdUntil(gate) {
      gates += 1;
      held ??= [];
      return gate.then(open, open);
    },
  };
}
