import { randomBytes } from 'node:crypto';
import { link, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, readQuietly, unlinkQuietly } from '../config/lock-file-io.js';
import { isCode } from '../config/atomic-write.js';
import { ConfigError } from '../config/config-error.js';

/*
 * One gateway per state directory. Two gateways on one GATEHOUSE_HOME would share SQLite files,
 * overwrite each other's gateway.json and both drain the same inbox. The lock file is published
 * with link(2), which fails when the name exists, so it appears atomically with its content: a
 * reader never sees a half-written owner. It is held for the life of the process; a lock whose pid
 * is gone (a crash, kill -9) is taken over.
 */

/** Lock file in the state directory. */
export const STATE_LOCK_FILE = 'gateway.lock';

/** A held state-directory lock. */
export interface StateDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** Options for acquireStateDirLock; tests inject the liveness check. */
export interface StateDirLockOptions {
  isAlive?: (pid: number) => boolean;
  /** Pid written into the lock (default: this process); tests stand in for other processes. */
  pid?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

/** Lock paths held by this process: the same pid in a lock file is then a live owner. */
const heldHere = new Set<string>();

/**
 * Takes the exclusive lock on `home`.
 * @throws ConfigError (exit 2) `another gatehouse (pid N) is already running with this state directory`.
 */
export async function acquireStateDirLock(
  home: string,
  options: StateDirLockOptions = {},
): Promise<StateDirLock> {
  const path = join(home, STATE_LOCK_FILE);
  const pid = options.pid ?? process.pid;
  const owner: LockOwner = { pid, host: hostname(), nonce: randomBytes(8).toString('hex') };
  const text = `${JSON.stringify(owner)}\n`;
  const isAlive = options.isAlive ?? isProcessAlive;
  // Bounded: each round either publishes our lock, meets a live owner, or removes one dead one.
  for (let round = 0; round < 10; round += 1) {
    if (await publish(path, text)) {
      heldHere.add(path);
      return { path, release: () => release(path, text) };
    }
    const current = await readQuietly(path);
    if (current === undefined) continue;
    const holder = parseOwner(current);
    if (holder !== undefined && isLiveOwner(holder, path, isAlive)) {
      throw new ConfigError(
        `another gatehouse (pid ${holder.pid}) is already running with this state directory (${home})`,
      );
    }
    await removeIfUnchanged(path, current);
  }
  throw new ConfigError(`cannot take the state directory lock ${path}; another start is racing`);
}

function isLiveOwner(holder: LockOwner, path: string, isAlive: (pid: number) => boolean): boolean {
  // A pid on another host (a shared volume) cannot be checked from here: treat it as running.
  if (holder.host !== hostname()) return true;
  // Our own pid in a lock we do not hold is a pid reused after a crash (pid 1 in a container).
  if (holder.pid === process.pid) return heldHere.has(path);
  return isAlive(holder.pid);
}

/** Writes the owner to a private name, then links it into place; false when the lock exists. */
async function publish(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlinkQuietly(temp);
  }
}

/**
 * Removes a dead owner's lock. It is first renamed away (atomic), so of two starts racing to take
 * over only one gets the file; if what it got is no longer the dead owner's (another start already
 * took over), it is put back.
 */
async function removeIfUnchanged(path: string, stale: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    // ENOENT: another start removed it first.
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const taken = await readQuietly(aside);
  if (taken !== stale) {
    try {
      await link(aside, path);
    } catch (error) {
      // EEXIST: a third start published meanwhile; that lock stands and this one is dropped.
      if (!isCode(error, 'EEXIST')) throw error;
    }
  }
  await unlinkQuietly(aside);
}

async function release(path: string, text: string): Promise<void> {
  heldHere.delete(path);
  // Only our own lock: never remove one a later gateway holds.
  if ((await readQuietly(path)) === text) await unlinkQuietly(path);
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, nonce } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof nonce !== 'string') {
      return undefined;
    }
    return { pid, host, nonce };
  } catch {
    // Not JSON: not a lock this program wrote (it links complete files only); treat it as stale.
    return undefined;
  }
}
