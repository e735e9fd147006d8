import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCode } from '../config/atomic-write.js';

/** File name of the local admin secret inside `$GATEHOUSE_HOME`. */
export const ADMIN_SECRET_FILE = 'admin.secret';

const SECRET_PATTERN = /^[0-9a-f]{64}$/;

/** Path of the admin secret for a home directory. */
export function adminSecretPath(home: string): string {
  return join(home, ADMIN_SECRET_FILE);
}

/**
 * The secret shared by the running gateway and the CLI on the same machine: 32 random bytes as
 * hex in `$GATEHOUSE_HOME/admin.secret` (mode 0600), created on first use and reused afterwards.
 * The file is written under a temporary name and published with link(2), which fails if the
 * name exists: two processes starting together agree on one secret and neither can ever read a
 * half-written file.
 */
export async function loadOrCreateAdminSecret(home: string): Promise<string> {
  const existing = await readAdminSecret(home);
  if (existing !== undefined) return existing;
  await mkdir(home, { recursive: true, mode: 0o700 });
  const path = adminSecretPath(home);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    // EEXIST: another process published its secret first; that one wins and is read below.
    if (!isCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp);
  }
  const secret = await readAdminSecret(home);
  if (secret === undefined) throw new Error(`Admin secret ${path} vanished while creating it`);
  return secret;
}

/** The secret, or undefined when the file does not exist. Throws when its content is malformed. */
export async function readAdminSecret(home: string): Promise<string | undefined> {
  const path = adminSecretPath(home);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const secret = text.trim();
  if (!SECRET_PATTERN.test(secret)) {
    throw new Error(`Admin secret ${path} is malformed; delete it and restart the gateway`);
  }
  return secret;
}
