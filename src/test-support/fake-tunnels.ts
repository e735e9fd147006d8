import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The fake tunnel executables in `fake-tunnels/` and what they recorded. Each fake appends one
 * JSON line per start to the file named by FAKE_TUNNEL_RECORD, so a test can read the argv and
 * env the gateway gave it and the pid it has to be gone after shutdown.
 */

const dir = new URL('./fake-tunnels/', import.meta.url).pathname;

/** Fake executables, named like the real tools (custom: any command). */
export type FakeTunnelName = 'cloudflared' | 'tailscale' | 'ngrok' | 'custom-tunnel';

/** Absolute path of a fake tunnel executable. */
export function fakeTunnelPath(name: FakeTunnelName): string {
  return join(dir, name);
}

/** Directory holding the fakes, for a PATH lookup by bare name. */
export const FAKE_TUNNEL_DIR = dir;

/** One start of a fake, as it recorded itself. */
export interface FakeTunnelRecord {
  kind: string;
  pid: number;
  /** Date.now() when the fake started. */
  startedAt: number;
  argv: string[];
  env: Record<string, string>;
}

/** Every start recorded in `file`, oldest first (empty when nothing started yet). */
export function readFakeTunnelRecords(file: string): FakeTunnelRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as FakeTunnelRecord);
}

/** True while a process with `pid` exists (signal 0 probes without delivering anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // ESRCH: no such process. EPERM would mean it exists under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed orphan stays a zombie until its new parent reaps it; it runs nothing any more.
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // Gone between the two calls (ENOENT), or no /proc on this system: trust kill(0).
    return existsSync('/proc/self/stat') ? false : true;
  }
  const state = stat.split(') ')[1]?.charAt(0);
  return state !== 'Z' && state !== 'X';
}
