import type { PairedTokenStore } from './paired-tokens.js';
import { createPairedTokenStore, normalizePairedTokenEntries } from './paired-tokens.js';

/** Interval main.ts should poll at: `tokens revoke` takes effect within about this long. */
export const PAIRED_TOKENS_RELOAD_INTERVAL_MS = 2_000;

export interface PairedTokenReloaderOptions {
  tokens: PairedTokenStore;
  /** Fingerprint of the config file, undefined when it is missing (`configFileSignature`). */
  signature: () => Promise<string | undefined>;
  /** Raw `paired_tokens` entries of the file (`readPairedTokenEntries`). */
  read: () => Promise<string[]>;
  /** Rewrites the list with hashes only (`setPairedTokenHashes`). */
  rewrite: (hashes: readonly string[]) => Promise<void>;
  onReload?: (info: { count: number; hashedPlaintext: number }) => void;
  onError?: (error: unknown) => void;
}

/**
 * Builds the start-up token set from `gateway.paired_tokens`. Plaintext entries are hashed and,
 * before anything can use them, the file is rewritten with hashes only (`rewrite`); a failed
 * rewrite propagates so the gateway does not start with a plaintext token left on disk.
 */
export async function loadPairedTokens(
  entries: readonly string[],
  rewrite: (hashes: readonly string[]) => Promise<void>,
): Promise<{ tokens: PairedTokenStore; hashedPlaintext: number }> {
  const { hashes, hashedPlaintext } = normalizePairedTokenEntries(entries);
  if (hashedPlaintext > 0) await rewrite(hashes);
  return { tokens: createPairedTokenStore({ hashes }), hashedPlaintext };
}

/** Polls the config file and keeps the in-memory token set equal to its `paired_tokens`. */
export interface PairedTokenReloader {
  /** Reloads when the file changed since the last check; true when it reloaded. Never throws. */
  check(): Promise<boolean>;
}

/**
 * Stat polling rather than fs.watch: the CLI (and editors) replace the file by rename, which
 * silently detaches an inode watch, and directory watches are unreliable on network and container
 * file systems. A stat every couple of seconds is cheap and always sees the new file.
 */
export function createPairedTokenReloader(
  options: PairedTokenReloaderOptions,
): PairedTokenReloader {
  let last: string | undefined;
  let primed = false;

  return {
    async check() {
      try {
        const current = await options.signature();
        if (primed && current === last) return false;
        // Record the fingerprint taken before reading: a write racing with the read changes it
        // again, so the next check reloads once more instead of missing that write.
        last = current;
        primed = true;
        await options.tokens.serialize(async () => {
          // A missing file means no paired tokens, exactly as a restart would see it.
          const entries = current === undefined ? [] : await options.read();
          const { hashes, hashedPlaintext } = normalizePairedTokenEntries(entries);
          options.tokens.replaceAll(hashes);
          if (hashedPlaintext > 0) await options.rewrite(hashes);
          options.onReload?.({ count: hashes.length, hashedPlaintext });
        });
        return true;
      } catch (error) {
        options.onError?.(error);
        return false;
      }
    },
  };
}
