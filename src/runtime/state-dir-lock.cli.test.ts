import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, useBuiltCli, type TempHome } from '../test-support/gatehouse-process.js';

/*
 * Real gateway processes on one GATEHOUSE_HOME: the second `start` is refused while the first
 * runs, and the first's gateway.json survives; after a SIGKILL the leftover lock is taken over.
 */

const cli = useBuiltCli();
let home: TempHome;

const runtimeInfo = () =>
  JSON.parse(readFileSync(join(home.dir, 'gateway.json'), 'utf8')) as {
    pid: number;
  };

describe('one gateway per state directory', { timeout: 60_000 }, () => {
  it('refuses a second start with exit 2, keeps the first serving, and takes over after kill -9', async () => {
    home = cli.tempHome('[gateway]\nport = 0\n[observability]\nlog_level = "info"\n');
    const first = await startCli([], home.env);
    const firstPid = first.child.pid ?? 0;

    const second = await runCli(['start'], home.env);
    expect(second.code).toBe(2);
    expect(second.stderr.trimEnd()).toBe(
      `another gatehouse (pid ${firstPid}) is already running with this state directory (${home.dir})`,
    );
    expect(second.stdout).toBe('');
    expect(runtimeInfo().pid).toBe(firstPid);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(home.dir, 'gateway.lock'))).toBe(true);
    const third = await startCli([], home.env);
    expect(runtimeInfo().pid).toBe(third.child.pid);

    // Signal handlers are installed once start-up has logged its last line.
    await third.waitFor(/"msg":"gateway started"/);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(existsSync(join(home.dir, 'gateway.lock'))).toBe(false);
    expect(existsSync(join(home.dir, 'gateway.json'))).toBe(false);
  });

  it('finishes shutdown and releases the lock after the memory has been written to', async () => {
    // The memory's checkpoint thread starts with its first write; stopping it is one step of
    // shutdown, and the steps after it (state, lock) must still run.
    home = cli.tempHome('[gateway]\nport = 0\n[observability]\nlog_level = "info"\n');
    const gateway = await startCli([], home.env);
    const code = (await gateway.waitFor(/pairing code: (\d{6})/))[1] ?? '';
    const paired = await fetch(`${gateway.url}/pair`, {
      method: 'POST',
      headers: { 'x-pairing-code': code },
    });
    const { token } = (await paired.json()) as { token: string };
    const answer = await fetch(`${gateway.url}/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'remember this' }),
    });
    expect(answer.status).toBe(200);
    await gateway.waitFor(/"msg":"gateway started"/);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(existsSync(join(home.dir, 'gateway.lock'))).toBe(false);
    expect(existsSync(join(home.dir, 'gateway.json'))).toBe(false);
    expect(existsSync(join(home.dir, 'memory.db-wal'))).toBe(false);
  });
});
