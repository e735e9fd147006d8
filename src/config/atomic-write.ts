import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file-system calls an atomic write makes; tests swap one to inject a failure. */
export interface AtomicWriteFs {
  open: typeof open;
  rename: typeof rename;
  unlink: typeof unlink;
}

export interface WriteFileAtomicOptions {
  /** Permission bits of the new file; secrets and the config use 0o600. */
  mode?: number;
  fs?: Partial<AtomicWriteFs>;
}

const defaultFs: AtomicWriteFs = { open, rename, unlink };

/**
 * Replaces `path` with `data` so that a reader (or a crash) sees either the whole old file or the
 * whole new one: temp file in the same directory (a rename is atomic only within one file
 * system) → fsync → rename → fsync the directory so the rename itself survives a power loss.
 * On any failure the original is untouched, the temp file is removed, and the error propagates.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const fs: AtomicWriteFs = { ...defaultFs, ...options.fs };
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    // `wx`: never follow or reuse a file someone planted under the temp name.
    const handle = await fs.open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
    renamed = true;
    await syncDirectory(dir, fs);
  } finally {
    if (!renamed) await removeQuietly(temp, fs);
  }
}

async function syncDirectory(dir: string, fs: AtomicWriteFs): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (and Windows) refuse fsync on a directory; the rename already happened.
    if (!isCode(error, 'EINVAL') && !isCode(error, 'EPERM') && !isCode(error, 'EISDIR'))
      throw error;
  } finally {
    await handle.close();
  }
}

async function removeQuietly(path: string, fs: AtomicWriteFs): Promise<void> {
  try {
    await fs.unlink(path);
  } catch {
    // Best effort: ENOENT when open failed before creating it; any other cleanup error must not
    // hide the failure the caller is about to see.
  }
}

/** True when `error` is a Node system error with the given `code`. */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
