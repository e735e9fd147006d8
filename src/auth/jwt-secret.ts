import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    assertSecretLength(options.configured, 'gateway.auth.jwt_secret (or GATEHOUSE_JWT_SECRET)');
    return options.configured;
  }
  const path = join(options.home, JWT_SECRET_FILE);
  const generated = randomBytes(MIN_JWT_SECRET_BYTES).toString('hex');
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  try {
    // `wx` fails when the file exists, so two processes starting together never overwrite
    // each other's secret (which would invalidate every token the other one issued).
    writeFileSync(path, generated + '\n', { mode: 0o600, flag: 'wx' });
    return generated;
  } catch (error) {
    if (!isFileExists(error)) throw error;
  }
  const stored = readFileSync(path, 'utf8').trim();
  assertSecretLength(stored, `gateway.auth.jwt_secret (generated file ${path})`);
  return stored;
}

function assertSecretLength(secret: string, source: string): void {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(
      `${source}: secret is ${bytes} bytes; at least ${MIN_JWT_SECRET_BYTES} bytes are required (e.g. \`openssl rand -hex 32\`)`,
    );
  }
}

function isFileExists(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EEXIST';
}
