import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { createMemoryStateStore } from '../state/memory-store.js';
import { createPairedTokenStore, hashPairedToken } from './paired-tokens.js';
import { createPairingGuard, PAIRING_LOCKOUT_MS } from './pairing.js';
import type { PairingGuardOptions } from './pairing.js';

const EXISTING_HASH = hashPairedToken('gth_existing');

function setup(overrides: Partial<PairingGuardOptions> = {}) {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  const persisted: string[] = [];
  const tokens = createPairedTokenStore({ hashes: [] });
  const guard = createPairingGuard({
    requirePairing: true,
    tokens,
    persist: async (hash) => {
      persisted.push(hash);
    },
    state: createMemoryStateStore({ clock: now }),
    now,
    ...overrides,
  });
  return {
    guard,
    tokens,
    persisted,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

/** The code of the GatewayError the promise rejects with. */
async function errorOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

function wrong(code: string): string {
  return code === '000000' ? '000001' : '000000';
}

describe('createPairingGuard: start-up code', () => {
  it.each([
    { requirePairing: true, paired: false, hasCode: true },
    { requirePairing: true, paired: true, hasCode: false },
    { requirePairing: false, paired: false, hasCode: false },
  ])(
    'requirePairing=$requirePairing paired=$paired → code present: $hasCode',
    ({ requirePairing, paired, hasCode }) => {
      const tokens = createPairedTokenStore({ hashes: paired ? [EXISTING_HASH] : [] });
      const { guard } = setup({ requirePairing, tokens });
      expect(guard.currentCode() !== undefined).toBe(hasCode);
      expect(guard.isPaired()).toBe(paired);
    },
  );

  it('issues a six-digit code from the random source', () => {
    const { guard } = setup({ random: () => 42 });
    expect(guard.currentCode()).toBe('000042');
  });

  it('newCode replaces the previous code', async () => {
    const values = [1, 2];
    const { guard } = setup({ random: () => values.shift() ?? 9 });
    expect(guard.currentCode()).toBe('000001');
    expect(guard.newCode()).toBe('000002');
    expect((await errorOf(guard.tryPair('000001', 'a'))).code).toBe('PAIRING_CODE_INVALID');
    await expect(guard.tryPair('000002', 'a')).resolves.toMatch(/^gth_/);
  });
});

describe('createPairingGuard: tryPair', () => {
  it('returns a token whose hash is persisted and then valid in memory', async () => {
    const { guard, tokens, persisted } = setup();
    const token = await guard.tryPair(guard.currentCode(), '10.0.0.1');
    expect(token).toMatch(/^gth_[0-9a-f]{64}$/);
    expect(persisted).toEqual([hashPairedToken(token)]);
    expect(tokens.verify(token)).toBe(true);
    expect(guard.isPaired()).toBe(true);
  });

  it('consumes the code: a second use fails', async () => {
    const { guard } = setup();
    const code = guard.currentCode();
    await guard.tryPair(code, 'a');
    expect(guard.currentCode()).toBeUndefined();
    expect((await errorOf(guard.tryPair(code, 'b'))).code).toBe('PAIRING_CODE_INVALID');
  });

  it('gives exactly one token when two requests race with the right code', async () => {
    const { guard } = setup();
    const code = guard.currentCode();
    const results = await Promise.allSettled([guard.tryPair(code, 'a'), guard.tryPair(code, 'b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it.each([
    { label: 'missing', code: undefined },
    { label: 'empty', code: '' },
    { label: 'too short', code: '12345' },
    { label: 'with letters', code: '12345a' },
  ])('refuses a $label code with PAIRING_CODE_INVALID (403)', async ({ code }) => {
    const { guard } = setup();
    const error = await errorOf(guard.tryPair(code, 'a'));
    expect(error.code).toBe('PAIRING_CODE_INVALID');
    expect(error.status).toBe(403);
  });

  it('refuses every code when no code is live (already paired)', async () => {
    const { guard } = setup({ tokens: createPairedTokenStore({ hashes: [EXISTING_HASH] }) });
    expect((await errorOf(guard.tryPair('000000', 'a'))).code).toBe('PAIRING_CODE_INVALID');
  });

  it('rolls back when persisting fails: 500, no token in memory, code still usable', async () => {
    let fail = true;
    const { guard, tokens } = setup({
      persist: async () => {
        if (fail) throw new Error('disk full');
      },
    });
    const code = guard.currentCode();
    const error = await errorOf(guard.tryPair(code, 'a'));
    expect(error.code).toBe('PAIRING_PERSIST_FAILED');
    expect(error.status).toBe(500);
    expect(tokens.count()).toBe(0);
    expect(guard.isPaired()).toBe(false);
    expect(guard.currentCode()).toBe(code);
    fail = false;
    const token = await guard.tryPair(code, 'a');
    expect(tokens.verify(token)).toBe(true);
  });

  it('does not resurrect the old code after a failed persist when the admin issued a new one', async () => {
    let release!: () => void;
    const { guard } = setup({
      persist: () =>
        new Promise<void>((_resolve, reject) => {
          release = () => reject(new Error('disk full'));
        }),
      random: (() => {
        let n = 0;
        return () => (n += 1);
      })(),
    });
    const pending = errorOf(guard.tryPair('000001', 'a'));
    await new Promise((resolve) => setImmediate(resolve));
    const fresh = guard.newCode();
    release();
    expect((await pending).code).toBe('PAIRING_PERSIST_FAILED');
    expect(guard.currentCode()).toBe(fresh);
  });
  it('does not resurrect the old code after a failed persist when a newer code was already used', async () => {
    let calls = 0;
    let release!: () => void;
    const { guard } = setup({
      persist: () => {
        calls += 1;
        if (calls > 1) return Promise.resolve();
        return new Promise<void>((_resolve, reject) => {
          release = () => reject(new Error('disk full'));
        });
      },
      random: (() => {
        let n = 0;
        return () => (n += 1);
      })(),
    });
    const first = errorOf(guard.tryPair('000001', 'a'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = guard.tryPair(guard.newCode(), 'b');
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await first).code).toBe('PAIRING_PERSIST_FAILED');
    await expect(second).resolves.toMatch(/^gth_/);
    expect(guard.currentCode()).toBeUndefined();
  });
});

describe('createPairingGuard: lockout', () => {
  it('locks a client key after 3 failures, even against the right code', async () => {
    const { guard } = setup();
    const code = guard.currentCode() as string;
    for (let i = 0; i < 3; i += 1) {
      expect((await errorOf(guard.tryPair(wrong(code), 'attacker'))).code).toBe(
        'PAIRING_CODE_INVALID',
      );
    }
    const locked = await errorOf(guard.tryPair(code, 'attacker'));
    expect(locked.code).toBe('PAIRING_LOCKED');
    expect(locked.status).toBe(429);
    expect(locked.extra.retry_after).toBe(300);
    expect(locked.message).toBe('Too many failed attempts. Try again in 300s.');
    expect(guard.currentCode()).toBe(code);
  });

  it('counts retry_after down with the clock and lifts the lockout after 300 s', async () => {
    const { guard, advance } = setup();
    const code = guard.currentCode() as string;
    for (let i = 0; i < 3; i += 1) await errorOf(guard.tryPair(wrong(code), 'k'));
    advance(100_500);
    expect((await errorOf(guard.tryPair(code, 'k'))).extra.retry_after).toBe(200);
    advance(PAIRING_LOCKOUT_MS - 100_500 - 1);
    expect((await errorOf(guard.tryPair(code, 'k'))).extra.retry_after).toBe(1);
    advance(1);
    await expect(guard.tryPair(code, 'k')).resolves.toMatch(/^gth_/);
  });

  it('gives three fresh attempts once the lockout expired', async () => {
    const { guard, advance } = setup();
    const code = guard.currentCode() as string;
    for (let i = 0; i < 3; i += 1) await errorOf(guard.tryPair(wrong(code), 'k'));
    advance(PAIRING_LOCKOUT_MS);
    for (let i = 0; i < 3; i += 1) {
      expect((await errorOf(guard.tryPair(wrong(code), 'k'))).code).toBe('PAIRING_CODE_INVALID');
    }
    expect((await errorOf(guard.tryPair(code, 'k'))).code).toBe('PAIRING_LOCKED');
  });

  it('keys lockouts per client key: another key can still pair', async () => {
    const { guard } = setup();
    const code = guard.currentCode() as string;
    for (let i = 0; i < 3; i += 1) await errorOf(guard.tryPair(wrong(code), 'attacker'));
    expect((await errorOf(guard.tryPair(code, 'attacker'))).code).toBe('PAIRING_LOCKED');
    await expect(guard.tryPair(code, 'owner')).resolves.toMatch(/^gth_/);
  });

  it('lets at most 3 guesses through a concurrent burst from one key', async () => {
    const { guard } = setup();
    const code = guard.currentCode() as string;
    const burst = await Promise.all(
      Array.from({ length: 50 }, () => errorOf(guard.tryPair(wrong(code), 'burst'))),
    );
    expect(burst.filter((e) => e.code === 'PAIRING_CODE_INVALID')).toHaveLength(3);
    expect(burst.filter((e) => e.code === 'PAIRING_LOCKED')).toHaveLength(47);
  });

  it('forgets earlier failures after a successful pairing', async () => {
    const { guard } = setup();
    let code = guard.currentCode() as string;
    for (let i = 0; i < 2; i += 1) await errorOf(guard.tryPair(wrong(code), 'k'));
    await guard.tryPair(code, 'k');
    code = guard.newCode();
    for (let i = 0; i < 2; i += 1) await errorOf(guard.tryPair(wrong(code), 'k'));
    await expect(guard.tryPair(code, 'k')).resolves.toMatch(/^gth_/);
  });

  it('assertNotLocked throws only while locked', async () => {
    const { guard } = setup();
    const code = guard.currentCode() as string;
    await expect(guard.assertNotLocked('k')).resolves.toBeUndefined();
    for (let i = 0; i < 3; i += 1) await errorOf(guard.tryPair(wrong(code), 'k'));
    expect((await errorOf(guard.assertNotLocked('k'))).code).toBe('PAIRING_LOCKED');
  });
});

describe('createPairingGuard: global failure budget per code', () => {
  type Guess = 'wrong' | 'malformed';
  /** `count` guesses of one kind, from one key or from a new key per guess (a rotated XFF). */
  interface Burst {
    count: number;
    kind: Guess;
    keys: 'rotating' | 'single';
  }

  it.each<{ label: string; bursts: Burst[]; rightCode: 'accepted' | 'refused' }>([
    {
      label: '10 wrong guesses from rotating keys burn the code',
      bursts: [{ count: 10, kind: 'wrong', keys: 'rotating' }],
      rightCode: 'refused',
    },
    {
      label: '9 wrong guesses from rotating keys leave it usable',
      bursts: [{ count: 9, kind: 'wrong', keys: 'rotating' }],
      rightCode: 'accepted',
    },
    {
      label: 'malformed codes are no guesses and do not count',
      bursts: [{ count: 30, kind: 'malformed', keys: 'rotating' }],
      rightCode: 'accepted',
    },
    {
      label: 'attempts refused by a lockout do not count',
      bursts: [{ count: 30, kind: 'wrong', keys: 'single' }],
      rightCode: 'accepted',
    },
    {
      label: 'guesses from locked-out keys and rotating keys add up',
      bursts: [
        { count: 3, kind: 'wrong', keys: 'single' },
        { count: 7, kind: 'wrong', keys: 'rotating' },
      ],
      rightCode: 'refused',
    },
  ])('$label → right code $rightCode', async ({ bursts, rightCode }) => {
    const { guard } = setup();
    const code = guard.currentCode() as string;
    let n = 0;
    for (const burst of bursts) {
      for (let i = 0; i < burst.count; i += 1) {
        n += 1;
        const key = burst.keys === 'single' ? 'single' : `198.51.100.${n}`;
        await errorOf(guard.tryPair(burst.kind === 'wrong' ? wrong(code) : 'abc', key));
      }
    }
    if (rightCode === 'accepted') {
      await expect(guard.tryPair(code, 'owner')).resolves.toMatch(/^gth_/);
    } else {
      const error = await errorOf(guard.tryPair(code, 'owner'));
      expect(error.code).toBe('PAIRING_CODE_INVALID');
      expect(error.status).toBe(403);
      expect(guard.currentCode()).toBeUndefined();
    }
  });

  it('warns once when the code is burnt, naming no code', async () => {
    const warnings: unknown[][] = [];
    const { guard } = setup({ logger: { warn: (...args: unknown[]) => warnings.push(args) } });
    const code = guard.currentCode() as string;
    for (let i = 0; i < 15; i += 1) await errorOf(guard.tryPair(wrong(code), `10.0.0.${i}`));
    const burnt = warnings.filter((args) => String(args[1]).includes('invalidated'));
    expect(burnt).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain(code);
    expect(JSON.stringify(warnings)).not.toContain(wrong(code));
  });

  it('burns the code after exactly 10 guesses of a concurrent burst from 50 keys', async () => {
    const { guard } = setup();
    const code = guard.currentCode() as string;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => errorOf(guard.tryPair(wrong(code), `k${i}`))),
    );
    expect(guard.currentCode()).toBeUndefined();
    expect((await errorOf(guard.tryPair(code, 'owner'))).code).toBe('PAIRING_CODE_INVALID');
  });

  it('newCode() issues a usable code with a fresh budget', async () => {
    const values = [1, 2, 3];
    const { guard } = setup({ random: () => values.shift() ?? 9 });
    for (let i = 0; i < 10; i += 1) await errorOf(guard.tryPair('999999', `a${i}`));
    expect(guard.currentCode()).toBeUndefined();
    expect(guard.newCode()).toBe('000002');
    // 9 more would exceed a budget that was not reset (19 ≥ 10).
    for (let i = 0; i < 9; i += 1) await errorOf(guard.tryPair('999999', `b${i}`));
    await expect(guard.tryPair('000002', 'owner')).resolves.toMatch(/^gth_/);
  });

  it('warns once per lockout with the client key, not on the attempts refused during it', async () => {
    const warnings: unknown[][] = [];
    const { guard } = setup({ logger: { warn: (...args: unknown[]) => warnings.push(args) } });
    const code = guard.currentCode() as string;
    for (let i = 0; i < 8; i += 1) await errorOf(guard.tryPair(wrong(code), 'k'));
    expect(warnings).toEqual([[{ clientKey: 'k', lockoutSecs: 300 }, expect.any(String)]]);
  });
});
