import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { acquireStateDirLock, STATE_LOCK_FILE } from './state-dir-lock.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-lock-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const lockPath = () => join(home, STATE_LOCK_FILE);
const writeLock = (owner: object) => writeFileSync(lockPath(), `${JSON.stringify(owner)}\n`);
const DEAD_PID = 999_999;
const alive = (pid: number) => pid !== DEAD_PID;

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the lock to be refused');
}

describe('acquireStateDirLock', () => {
  it('refuses a second holder while the first runs, naming its pid, and allows one after release', async () => {
    const first = await acquireStateDirLock(home, { pid: 4242, isAlive: alive });
    const error = await refusal(acquireStateDirLock(home, { pid: 4343, isAlive: alive }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `another gatehouse (pid 4242) is already running with this state directory (${home})`,
    );
    await first.release();
    const second = await acquireStateDirLock(home, { pid: 4343, isAlive: alive });
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: 4343 });
    await second.release();
    expect(readdirSync(home)).toEqual([]);
  });

  it('refuses a second gateway in this very process', async () => {
    const first = await acquireStateDirLock(home);
    const error = await refusal(acquireStateDirLock(home));
    expect(error.message).toContain(`(pid ${process.pid}) is already running`);
    await first.release();
  });

  it('takes over a lock left by a dead process', async () => {
    writeLock({ pid: DEAD_PID, host: hostname(), nonce: 'aa' });
    const lock = await acquireStateDirLock(home, { pid: 4242, isAlive: alive });
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: 4242 });
    await lock.release();
  });

  it('takes over a lock naming this pid that this process does not hold (pid reuse)', async () => {
    writeLock({ pid: process.pid, host: hostname(), nonce: 'bb' });
    const lock = await acquireStateDirLock(home);
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).not.toMatchObject({ nonce: 'bb' });
    await lock.release();
  });

  it('takes over an unreadable lock file', async () => {
    writeFileSync(lockPath(), 'garbage');
    const lock = await acquireStateDirLock(home, { pid: 4242, isAlive: alive });
    await lock.release();
  });

  it('treats an owner on another host as running', async () => {
    writeLock({ pid: DEAD_PID, host: `${hostname()}-elsewhere`, nonce: 'cc' });
    const error = await refusal(acquireStateDirLock(home, { pid: 4242, isAlive: alive }));
    expect(error.message).toContain(`(pid ${DEAD_PID}) is already running`);
  });

  it('lets exactly one of several racing starts take over a dead lock', async () => {
    writeLock({ pid: DEAD_PID, host: hostname(), nonce: 'dd' });
    const results = await Promise.allSettled(
      [5001, 5002, 5003, 5004].map((pid) => acquireStateDirLock(home, { pid, isAlive: alive })),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(String(result.reason)).toMatch(/another gatehouse \(pid 500\d\) is already running/);
      }
    }
    expect(readdirSync(home)).toEqual([STATE_LOCK_FILE]);
  });

  it('release never removes a lock another process holds now', async () => {
    const first = await acquireStateDirLock(home, { pid: 4242, isAlive: alive });
    writeLock({ pid: 4343, host: hostname(), nonce: 'ee' });
    await first.release();
    expect(readdirSync(home)).toEqual([STATE_LOCK_FILE]);
  });
});
