/** Where a Slack reply goes: a channel and the thread to answer in. */
export interface SlackReplyTarget {
  channel: string;
  threadTs: string;
}

/** Encodes channel and thread as `C123:1700000000.000100` (channel ids never contain ':'). */
export function formatSlackReplyTarget(target: SlackReplyTarget): string {
  return `${target.channel}:${target.threadTs}`;
}

/** Reverses `formatSlackReplyTarget`; undefined when the value is malformed. */
export function parseSlackReplyTarget(value: string): SlackReplyTarget | undefined {
  const index = value.indexOf(':');
  if (index <= 0 || index === value.length - 1) return undefined;
  return { channel: value.slice(0, index), threadTs: value.slice(index + 1) };
}
