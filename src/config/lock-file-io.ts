import { readFile, unlink } from 'node:fs/promises';
import { isCode } from './atomic-write.js';

/*
 * File operations the lock files (config write lock, state-directory lock) share. A lock can be
 * released or taken over between two steps, so a missing file is an expected outcome there.
 */

/** Signal 0 checks existence only: ESRCH means gone, EPERM means running as another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isCode(error, 'ESRCH');
  }
}

/** The file's text, or undefined when it no longer exists. */
export async function readQuietly(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // ENOENT: released or taken over meanwhile.
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Removes the file; one already gone is the outcome wanted. */
export async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    // ENOENT: someone else removed it first.
    if (!isCode(error, 'ENOENT')) throw error;
  }
}
