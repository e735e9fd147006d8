import type { ChildProcess } from 'node:child_process';

/** True while `child` was spawned and has neither exited nor been killed by a signal. */
export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`; resolves once it exited. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), graceMs);
  });
  if ((await Promise.race([exited, graceOver])) === 'grace-over') child.kill('SIGKILL');
  clearTimeout(timer);
  await exited;
}
