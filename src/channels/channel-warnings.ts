import type { ChannelServices } from './module.js';

type Warn = ChannelServices['warn'];

/**
 * Warns that an unset secret makes a channel refuse a kind of request. Fail-closed is the
 * intended, safe behaviour, but the operator must see it: the channel is also reported
 * `degraded` with this reason, never `ok`.
 */
export function warnUnsetSecret(
  warn: Warn,
  channel: string,
  key: string,
  value: string | undefined,
  what: string,
): void {
  if (value) return;
  warn(channel, `channels_config.${channel}.${key} is unset: every ${what} is refused`, {
    unverifiable: true,
  });
}

/** Warns that an empty allowlist lets nobody message the agent. */
export function warnEmptyAllowlist(
  warn: Warn,
  channel: string,
  key: string,
  list: readonly unknown[],
): void {
  if (list.length === 0) {
    warn(channel, `channels_config.${channel}.${key} is empty: nobody can message the agent`);
  }
}
