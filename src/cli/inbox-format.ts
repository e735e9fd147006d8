import { InvalidArgumentError } from 'commander';
import type { InboxCounts, InboxListEntry, InboxStatus } from '../inbox/types.js';

/** Order of the count lines `gatehouse inbox` prints. */
export const COUNT_ORDER: ReadonlyArray<keyof InboxCounts> = [
  'pending',
  'processing',
  'dead',
  'done',
  'unknown',
];

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `--older-than`: a whole number with a unit s, m, h or d (`7d`, `12h`); milliseconds. */
export function parseAgeOption(value: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(value);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new InvalidArgumentError('expected a number and a unit s, m, h or d, like 7d or 12h');
  }
  return Number(match[1]) * (UNITS_MS[match[2]] ?? 0);
}

/** Parses `--status` of `inbox list`. */
export function parseStatusOption(value: string): InboxStatus {
  if (value === 'pending' || value === 'processing' || value === 'dead' || value === 'done') {
    return value;
  }
  throw new InvalidArgumentError('expected pending, processing, dead or done');
}

/** Parses `--status` of `inbox purge`: only finished items may be purged. */
export function parsePurgeStatusOption(value: string): 'done' | 'dead' {
  if (value === 'done' || value === 'dead') return value;
  throw new InvalidArgumentError('expected done or dead');
}

/** Parses an item id argument or `--limit`: a positive integer. */
export function parsePositiveInt(value: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** One `--json` object: the message text only when asked for. */
export function listEntryJson(entry: InboxListEntry, showText: boolean): Record<string, unknown> {
  return {
    id: entry.id,
    channel: entry.channel,
    sender: entry.senderId,
    status: entry.status,
    attempts: entry.attempts,
    received_at: new Date(entry.receivedAt).toISOString(),
    updated_at: new Date(entry.updatedAt).toISOString(),
    reason: entry.reason,
    last_error: entry.lastError,
    unknown_parts: entry.unknownParts,
    ...(showText ? { text: entry.text } : {}),
  };
}

/** Table lines for `inbox list`: one per item, newest first; text on its own line when asked. */
export function listEntryLines(entries: readonly InboxListEntry[], showText: boolean): string[] {
  const lines = ['id\tchannel\tsender\treceived\tattempts\tstatus\treason\tlast error'];
  for (const entry of entries) {
    lines.push(
      [
        entry.id,
        entry.channel,
        entry.senderId,
        new Date(entry.receivedAt).toISOString(),
        entry.attempts,
        entry.unknownParts > 0 ? `${entry.status} (${entry.unknownParts} unknown)` : entry.status,
        entry.reason ?? '-',
        oneLine(entry.lastError ?? '-'),
      ].join('\t'),
    );
    if (showText) lines.push(`\ttext: ${JSON.stringify(entry.text)}`);
  }
  return lines;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
