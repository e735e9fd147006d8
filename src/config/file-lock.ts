import { randomBytes } from 'node:crypto';
import { open, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isProcessAlive, readQuietly, unlinkQuietly } from './lock-file-io.js';
import { isCode } from './atomic-write.js';

/*
 * A cross-process lock for read-modify-write of one file. The gateway appends paired tokens while
 * `gatehouse tokens revoke` may rewrite the same config: without a lock both read the old text and
 * the later rename silently drops the other's change. The lock is a file created with O_EXCL
 * (`wx`), which is atomic on local file systems; it names its owner so a crashed owner's lock can
 * be broken instead of blocking every later write.
 */

/** Options for withFileLock; the defaults suit a config edit that takes milliseconds. */
export interface FileLockOptions {
  /** Longest wait for a lock held by someone else before giving up. */
  timeoutMs?: number;
  /** A lock file older than this is treated as left behind by a crash and broken. */
  staleMs?: number;
  /** Whether a process id on this host is running (tests inject a fake). */
  isAlive?: (pid: number) => boolean;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
export const DEFAULT_LOCK_STALE_MS = 30_000;

/** Lock paths this process holds now: its own pid in a lock file is then not a leftover. */
const held = new Set<string>();

/**
 * Runs `job` while holding `lockPath` exclusively against other processes (and other callers in
 * this one), and always removes the lock afterwards. Throws when the lock stays held by a live
 * owner for `timeoutMs`.
 */
export async function withFileLock<T>(
  lockPath: string,
  job: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const owner = `${process.pid} ${hostname()} ${randomBytes(8).toString('hex')}\n`;
  await acquire(lockPath, owner, options);
  held.add(lockPath);
  try {
    return await job();
  } finally {
    held.delete(lockPath);
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, owner: string, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let delayMs = 5;
  for (;;) {
    if (await tryCreate(lockPath, owner)) return;
    if (await breakIfStale(lockPath, options)) continue;
    if (Date.now() >= deadline) {
      const holder = parseOwner(await readQuietly(lockPath));
      throw new Error(
        `${lockPath} is held by another gatehouse process` +
          (holder === undefined ? '' : ` (pid ${holder.pid})`) +
          '; if none is running, delete the lock file',
      );
    }
    // Jitter keeps two waiting processes from retrying in lockstep.
    await sleep(delayMs + Math.random() * delayMs);
    delayMs = Math.min(delayMs * 2, 100);
  }
}

/** Creates the lock file with the owner line; false when it already exists. */
async function tryCreate(lockPath: string, owner: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.writeFile(owner);
  } catch (error) {
    await handle.close();
    await unlink(lockPath);
    throw error;
  }
  await handle.close();
  return true;
}

/**
 * Removes a lock whose owner is gone: older than `staleMs`, or naming a dead pid on this host (or
 * this process's pid when it holds no such lock: a pid reused after a crash, as for pid 1 in a
 * container). True when the lock is gone, so the caller retries at once.
 */
async function breakIfStale(lockPath: string, options: FileLockOptions): Promise<boolean> {
  const before = await statQuietly(lockPath);
  if (before === undefined) return true;
  const holder = parseOwner(await readQuietly(lockPath));
  const isAlive = options.isAlive ?? isProcessAlive;
  const old = Date.now() - before.mtimeMs > (options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  // An owner on another host (a shared volume) is judged by age only: its pid means nothing here.
  const local = holder !== undefined && holder.host === hostname();
  const ownerGone =
    local && (holder.pid === process.pid ? !held.has(lockPath) : !isAlive(holder.pid));
  if (!old && !ownerGone) return false;
  // Another waiter may have broken this lock and taken a new one since we looked: only remove
  // the very file judged stale (same inode and mtime). A window of microseconds remains between
  // this check and the unlink; it needs two breakers racing right after a crash.
  const now = await statQuietly(lockPath);
  if (now === undefined) return true;
  if (now.ino !== before.ino || now.mtimeMs !== before.mtimeMs) return false;
  await unlinkQuietly(lockPath);
  return true;
}

async function release(lockPath: string, owner: string): Promise<void> {
  // Only our own lock: if a slow job outlived `staleMs`, another process may own the file now.
  if ((await readQuietly(lockPath)) === owner) await unlinkQuietly(lockPath);
}

/** `<pid> <host> <nonce>`; undefined for a lock still being written or not ours to read. */
function parseOwner(text: string | undefined): { pid: number; host: string } | undefined {
  const match = /^(\d+) (\S+) [0-9a-f]+\n$/.exec(text ?? '');
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { pid: Number(match[1]), host: match[2] };
}

async function statQuietly(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    // ENOENT: the owner released it between our attempts.
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
