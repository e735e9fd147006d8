import * as z from 'zod';
import type { InboundMessage } from '../../core/types.js';
import type { TelegramApiOptions } from './api.js';
import { callTelegramApi } from './api.js';
import { messagesFromUpdates, updateSchema } from './parse.js';

/** Name of the persisted getUpdates offset. */
export const TELEGRAM_OFFSET_CURSOR = 'telegram.offset';

/** Where the getUpdates offset survives restarts (the inbox implements it). */
export interface CursorStore {
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, value: string): Promise<void>;
}

/** How the poll loop tells the outside whether it is healthy. */
export type PollStatusListener = (status: 'ok' | 'degraded', error?: unknown) => void;

export interface TelegramPollOptions extends TelegramApiOptions {
  cursors: CursorStore;
  onStatus?: PollStatusListener;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

const updatesSchema = z.array(updateSchema);

/**
 * Long-polls getUpdates until `signal` aborts. The offset is persisted only after `sink` has
 * durably accepted a batch: a crash in between makes Telegram resend the batch, and the inbox
 * drops what it already has, so nothing is lost and nothing is answered twice.
 */
export async function pollTelegramUpdates(
  options: TelegramPollOptions,
  sink: (messages: InboundMessage[], dropped: number) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const baseMs = options.backoffBaseMs ?? 1000;
  const maxMs = options.backoffMaxMs ?? 30_000;
  const timeoutSecs = options.config.poll_timeout_secs;
  let failures = 0;
  let healthy: boolean | undefined;
  while (!signal.aborted) {
    try {
      const stored = await options.cursors.getCursor(TELEGRAM_OFFSET_CURSOR);
      const offset = stored === undefined ? 0 : Number(stored);
      const result = await callTelegramApi(
        options,
        'getUpdates',
        { offset, timeout: timeoutSecs, allowed_updates: ['message'] },
        signal,
        // The server holds the request up to `timeout`; allow a margin before calling it lost.
        (timeoutSecs + 15) * 1000,
      );
      const updates = updatesSchema.parse(result);
      if (updates.length > 0) {
        const { messages, dropped } = messagesFromUpdates(options.config, updates, Date.now());
        await sink(messages, dropped);
        const next = Math.max(...updates.map((update) => update.update_id)) + 1;
        await options.cursors.setCursor(TELEGRAM_OFFSET_CURSOR, String(next));
      }
      failures = 0;
      if (healthy !== true) options.onStatus?.('ok');
      healthy = true;
    } catch (error) {
      if (signal.aborted) break;
      failures += 1;
      healthy = false;
      options.onStatus?.('degraded', error);
      await sleep(Math.min(maxMs, baseMs * 2 ** (failures - 1)), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
