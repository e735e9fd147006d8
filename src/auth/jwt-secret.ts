import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isCode } from '../config/atomic-write.js';
import { ConfigError } from '../config/config-error.js';

/** HS256 needs at least as many secret bytes as the hash output (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_BYTES = 32;
/** File name of the generated secret inside $GATEHOUSE_HOME. */
export const JWT_SECRET_FILE = 'jwt.secret';

export interface LoadJwtSecretOptions {
  /** `gateway.auth.jwt_secret` (or GATEHOUSE_JWT_SECRET, already merged by the config loader). */
  configured: string | undefined;
  /** $GATEHOUSE_HOME, where a generated secret is kept. */
  home: string;
}

/**
 * Returns the JWT secret: the configured one, else the one generated into `$GATEHOUSE_HOME/jwt.secret`
 * (created on first start with mode 0600). Throws ConfigError when the secret is too short.
 * Runs once at start-up, so sync file I/O is fine here.
 */
export function loadJwtSecret(options: LoadJwtSecretOptions): string {
  if (options.configured !== undefined) {
    assertConfiguredJwtSecret(options.configured);
    return options.configured;
  }
  const path = join(options.home, JWT_SECRET_FILE);
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  let stored = readStoredSecret(path);
  if (stored === undefined) {
    publishSecret(path, false);
    stored = readStoredSecret(path);
  } else if (stored === '') {
    // An empty file is what the old create-then-write left behind after a crash between the two:
    // no token was ever signed with it, so replacing it loses nothing. (Two processes replacing
    // the same empty file at once could disagree; that needs a crash and a double start.)
    publishSecret(path, true);
    stored = readStoredSecret(path);
  }
  if (stored === undefined) throw new Error(`JWT secret ${path} vanished while creating it`);
  assertSecretLength(stored, `gateway.auth.jwt_secret (generated file ${path})`);
  return stored;
}

/** Throws ConfigError when a configured secret is too short; no file I/O (`config check` uses it). */
export function assertConfiguredJwtSecret(configured: string): void {
  assertSecretLength(configured, 'gateway.auth.jwt_secret (or GATEHOUSE_JWT_SECRET)');
}

/** The trimmed file content, or undefined when the file does not exist. */
function readStoredSecret(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * Writes a new secret under a temporary name (0600, fsynced), then publishes it whole: link(2)
 * fails if the name exists, so two processes starting together agree on one secret (the loser
 * reads the winner's) and a crash can never leave a half-written jwt.secret behind. `replace`
 * renames over an existing (empty) file instead.
 */
function publishSecret(path: string, replace: boolean): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  let published = false;
  try {
    try {
      writeSync(fd, `${randomBytes(MIN_JWT_SECRET_BYTES).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (replace) {
      renameSync(temp, path);
      published = true;
      return;
    }
    try {
      linkSync(temp, path);
    } catch (error) {
      // EEXIST: another process published its secret first; that one wins and is read next.
      if (!isCode(error, 'EEXIST')) throw error;
    }
  } finally {
    if (!published) unlinkSync(temp);
  }
}

function assertSecretLength(secret: string, source: string): void {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(
      `${source}: secret is ${bytes} bytes; at least ${MIN_JWT_SECRET_BYTES} bytes are required (e.g. \`openssl rand -hex 32\`)`,
    );
  }
}
