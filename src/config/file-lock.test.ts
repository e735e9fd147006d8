import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

let dir: string;
let lockPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-lock-'));
  lockPath = join(dir, 'config.toml.lock');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a lock file as another owner would, `ageMs` old. */
function plantLock(content: string, ageMs = 0): void {
  writeFileSync(lockPath, content);
  const when = (Date.now() - ageMs) / 1000;
  utimesSync(lockPath, when, when);
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not spawn a child process');
  return child.pid;
}

const SHORT = { timeoutMs: 150, staleMs: 30_000 };

describe('withFileLock: a lock left by someone else', () => {
  it.each<{ label: string; content: () => string; ageMs: number; alive: boolean; broken: boolean }>(
    [
      {
        label: 'a live local owner, fresh',
        content: () => `4242 ${hostname()} ab12\n`,
        ageMs: 0,
        alive: true,
        broken: false,
      },
      {
        label: 'a dead local owner, fresh',
        content: () => `4242 ${hostname()} ab12\n`,
        ageMs: 0,
        alive: false,
        broken: true,
      },
      {
        label: 'a live local owner, older than staleMs',
        content: () => `4242 ${hostname()} ab12\n`,
        ageMs: 60_000,
        alive: true,
        broken: true,
      },
      {
        label: 'this pid reused after a crash (pid 1 in a container)',
        content: () => `${process.pid} ${hostname()} ab12\n`,
        ageMs: 0,
        alive: true,
        broken: true,
      },
      {
        label: 'a dead-looking owner on another host, fresh (its pid means nothing here)',
        content: () => `4242 other-host.example ab12\n`,
        ageMs: 0,
        alive: false,
        broken: false,
      },
      {
        label: 'an owner on another host, older than staleMs',
        content: () => `4242 other-host.example ab12\n`,
        ageMs: 60_000,
        alive: true,
        broken: true,
      },
      {
        label: 'an empty lock still being written, fresh',
        content: () => '',
        ageMs: 0,
        alive: false,
        broken: false,
      },
      {
        label: 'an empty lock, older than staleMs',
        content: () => '',
        ageMs: 60_000,
        alive: false,
        broken: true,
      },
    ],
  )('$label → broken: $broken', async ({ content, ageMs, alive, broken }) => {
    plantLock(content(), ageMs);
    const run = withFileLock(lockPath, async () => 'ran', { ...SHORT, isAlive: () => alive });
    if (broken) {
      await expect(run).resolves.toBe('ran');
      expect(existsSync(lockPath)).toBe(false);
    } else {
      await expect(run).rejects.toThrow(/is held by another gatehouse process/);
      expect(readFileSync(lockPath, 'utf8')).toBe(content());
    }
  });

  it('breaks the lock of a process that has exited (real pid check)', async () => {
    plantLock(`${deadPid()} ${hostname()} ab12\n`);
    await expect(withFileLock(lockPath, async () => 'ran', SHORT)).resolves.toBe('ran');
  });

  it('names the holding pid when it gives up', async () => {
    plantLock(`${process.ppid} ${hostname()} ab12\n`);
    await expect(withFileLock(lockPath, async () => 'ran', SHORT)).rejects.toThrow(
      `(pid ${process.ppid})`,
    );
  });

  it('waits for a live owner to release, then runs', async () => {
    plantLock(`4242 ${hostname()} ab12\n`);
    const run = withFileLock(lockPath, async () => readFileSync(lockPath, 'utf8'), {
      timeoutMs: 30_000,
      isAlive: () => true,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await unlink(lockPath);
    await expect(run).resolves.toMatch(new RegExp(`^${process.pid} `));
  });
});

describe('withFileLock: its own lock', () => {
  it('holds a lock file naming this process during the job and removes it after', async () => {
    const seen = await withFileLock(lockPath, async () => readFileSync(lockPath, 'utf8'));
    expect(seen).toMatch(new RegExp(`^${process.pid} ${hostname()} [0-9a-f]+\\n$`));
    expect(existsSync(lockPath)).toBe(false);
  });

  it('removes the lock when the job throws', async () => {
    await expect(
      withFileLock(lockPath, async () => {
        throw new Error('mutate failed');
      }),
    ).rejects.toThrow('mutate failed');
    expect(existsSync(lockPath)).toBe(false);
  });

  it('leaves a lock that another process took over (after breaking ours as stale)', async () => {
    const theirs = `4242 ${hostname()} cd34\n`;
    await withFileLock(lockPath, async () => {
      await unlink(lockPath);
      writeFileSync(lockPath, theirs);
    });
    expect(readFileSync(lockPath, 'utf8')).toBe(theirs);
  });

  it('makes a second caller in this process wait instead of breaking the held lock', async () => {
    const order: string[] = [];
    let release!: () => void;
    let started!: () => void;
    const firstHolds = new Promise<void>((resolve) => (started = resolve));
    const first = withFileLock(lockPath, async () => {
      order.push('first start');
      started();
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first end');
    });
    await firstHolds;
    const second = withFileLock(lockPath, async () => void order.push('second'), {
      timeoutMs: 30_000,
    });
    // Let the second caller find the lock taken and start polling.
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'first end', 'second']);
  });
});
