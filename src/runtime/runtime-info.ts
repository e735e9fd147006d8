import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { isCode, writeFileAtomic } from '../config/atomic-write.js';

/** File in `$GATEHOUSE_HOME` that tells local CLI commands where the running gateway listens. */
export const RUNTIME_INFO_FILE = 'gateway.json';

const runtimeInfoSchema = z.strictObject({
  url: z.url({ protocol: /^http$/ }),
  pid: z.number().int().positive(),
});

/** Where the running gateway can be reached from this machine. */
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

/** Path of the runtime info file for a home directory. */
export function runtimeInfoPath(home: string): string {
  return join(home, RUNTIME_INFO_FILE);
}

/**
 * A loopback URL for the address the gateway bound: the configured port may be 0, so main.ts
 * passes the port actually bound. A wildcard bind is reached over loopback.
 */
export function localGatewayUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '' || host === 'localhost') return `http://127.0.0.1:${port}`;
  if (host === '::' || host === '::1' || host === '[::]' || host === '[::1]') {
    return `http://[::1]:${port}`;
  }
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Written by main.ts once listening (atomically, mode 0600). */
export async function writeRuntimeInfo(home: string, info: RuntimeInfo): Promise<void> {
  await writeFileAtomic(
    runtimeInfoPath(home),
    `${JSON.stringify(runtimeInfoSchema.parse(info))}\n`,
    {
      mode: 0o600,
    },
  );
}

/** The info of the running gateway, or undefined when none was written (or it is unreadable). */
export async function readRuntimeInfo(home: string): Promise<RuntimeInfo | undefined> {
  let text: string;
  try {
    text = await readFile(runtimeInfoPath(home), 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A corrupt file is the same as none: the CLI then says no gateway is running.
    return undefined;
  }
  const parsed = runtimeInfoSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Removed by main.ts on shutdown, only if it still describes this process. */
export async function removeRuntimeInfo(home: string, pid: number): Promise<void> {
  const current = await readRuntimeInfo(home);
  if (current?.pid !== pid) return;
  try {
    await unlink(runtimeInfoPath(home));
  } catch (error) {
    // ENOENT: already gone (a second shutdown path ran); nothing to clean.
    if (!isCode(error, 'ENOENT')) throw error;
  }
}
