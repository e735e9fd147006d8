import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJwtService } from '../auth/jwt.js';
import { configSchema } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { Scheduler } from '../runtime/types.js';
import { createMemoryStateStore } from '../state/memory-store.js';
import { createLocalStateEvents } from '../state/state-events.js';
import type { StateStore } from '../state/types.js';
import { wireAuth } from './auth.js';

const SECRET = 'shared-state-test-secret-of-32-bytes-or-more';

/** A store whose reads can be made to fail, as Redis does while it is unreachable. */
function failingStore(): { store: StateStore; down(value: boolean): void } {
  const inner = createMemoryStateStore();
  let isDown = false;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      isDown ? Promise.reject(new GatewayError('STATE_UNAVAILABLE')) : call(...args);
  const store: StateStore = {
    declareNamespace: (ns, options) => inner.declareNamespace(ns, options),
    slidingWindowHit: guard(inner.slidingWindowHit.bind(inner)),
    get: guard(inner.get.bind(inner)),
    set: guard(inner.set.bind(inner)),
    setIfAbsent: guard(inner.setIfAbsent.bind(inner)),
    delete: guard(inner.delete.bind(inner)),
    deleteIfValue: guard(inner.deleteIfValue.bind(inner)),
    increment: guard(inner.increment.bind(inner)),
    incrementBy: guard(inner.incrementBy.bind(inner)),
    list: guard(inner.list.bind(inner)),
    sweep: guard(inner.sweep.bind(inner)),
    close: () => inner.close(),
  };
  return { store, down: (value) => (isDown = value) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-auth-shared-'));
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

async function setup() {
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, '');
  const config = configSchema.parse({ gateway: { auth: { jwt_secret: SECRET } } });
  const jobs: Array<() => void | Promise<void>> = [];
  const scheduler: Scheduler = { every: (_n, _ms, job) => jobs.push(job), stop: () => undefined };
  const state = failingStore();
  const auth = await wireAuth({
    config,
    configPath,
    home: dir,
    store: state.store,
    shared: { events: createLocalStateEvents() },
    scheduler,
    logger: pino({ level: 'silent' }),
  });
  const jwt = createJwtService({
    secret: SECRET,
    issuer: 'gatehouse',
    audience: 'gatehouse',
    isRevoked: () => false,
  });
  const { token } = await jwt.createToken({
    subject: 'user:a',
    scopes: new Set(['channels:api']),
    expiresIn: 3600,
  });
  const runJobs = async () => {
    for (const job of jobs) await Promise.resolve(job()).catch(() => undefined);
  };
  return { auth, state, token, runJobs };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof GatewayError ? e.code : String(e)),
  );
  return error;
}

describe('wireAuth with shared state', () => {
  it('refuses JWTs with STATE_UNAVAILABLE once revocations could not be reloaded for 3 s, and accepts them again after', async () => {
    const { auth, state, token, runJobs } = await setup();
    expect(await codeOf(auth.authenticator(`Bearer ${token}`, 'channels:api'))).toBe('resolved');
    state.down(true);
    vi.setSystemTime(Date.now() + 3500);
    await runJobs();
    expect(await codeOf(auth.authenticator(`Bearer ${token}`, 'channels:api'))).toBe(
      'STATE_UNAVAILABLE',
    );
    state.down(false);
    await runJobs();
    expect(await codeOf(auth.authenticator(`Bearer ${token}`, 'channels:api'))).toBe('resolved');
  });

  it('refuses paired tokens with STATE_UNAVAILABLE while the store is down (no stale copy)', async () => {
    const { auth, state } = await setup();
    const code = auth.guard.currentCode() as string;
    const paired = await auth.guard.tryPair(code, '10.0.0.1');
    expect(await codeOf(auth.authenticator(`Bearer ${paired}`, 'channels:api'))).toBe('resolved');
    state.down(true);
    expect(await codeOf(auth.authenticator(`Bearer ${paired}`, 'channels:api'))).toBe(
      'STATE_UNAVAILABLE',
    );
  });
});
