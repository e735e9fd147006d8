import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadOrCreateAdminSecret } from '../auth/admin-secret.js';
import { isGatewayError } from '../errors.js';
import { writeRuntimeInfo } from '../runtime/runtime-info.js';
import { adminRoutes } from '../server/routes/admin.js';
import { createProgram, runProgram } from './program.js';
import { registerPairCommand } from './pair.js';

let home: string;
let app: FastifyInstance | undefined;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-pair-cli-'));
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  rmSync(home, { recursive: true, force: true });
});

/** A real admin endpoint on 127.0.0.1:0, announced through gateway.json like main.ts does. */
async function startGateway(secret: string): Promise<void> {
  app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    if (!isGatewayError(error)) return reply.code(500).send({ error: 'Internal server error' });
    return reply.code(error.status).send(error.toBody());
  });
  await adminRoutes({ guard: { issueCode: async () => '004242' }, adminSecret: secret })(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await writeRuntimeInfo(home, { url, pid: process.pid });
}

async function run(args: string[]): Promise<{ out: string[]; err: string; exitCode: number }> {
  const out: string[] = [];
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const program = createProgram();
    registerPairCommand(program, { env: { GATEHOUSE_HOME: home }, out: (line) => out.push(line) });
    const exitCode = await runProgram(program, ['node', 'gatehouse', ...args]);
    return { out, err, exitCode: exitCode ?? 0 };
  } finally {
    stderr.mockRestore();
  }
}

describe('gatehouse pair', () => {
  it('prints the fresh code from the running gateway', async () => {
    await startGateway(await loadOrCreateAdminSecret(home));
    const result = await run(['pair']);
    expect(result.exitCode).toBe(0);
    expect(result.out[0]).toBe('pairing code: 004242');
  });

  it('finds the gateway through --config when GATEHOUSE_HOME is not set', async () => {
    await startGateway(await loadOrCreateAdminSecret(home));
    const out: string[] = [];
    const program = createProgram();
    registerPairCommand(program, { env: {}, out: (line) => out.push(line) });
    const code = await runProgram(program, [
      'node',
      'gatehouse',
      'pair',
      '--config',
      join(home, 'config.toml'),
    ]);
    expect(code).toBeUndefined();
    expect(out[0]).toBe('pairing code: 004242');
  });

  it('exits 1 with a clear message when no gateway is running', async () => {
    const result = await run(['pair']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(/No running gateway found/);
  });

  it('exits 1 when gateway.json points at a gateway that is gone', async () => {
    await loadOrCreateAdminSecret(home);
    const probe = Fastify();
    const url = await probe.listen({ host: '127.0.0.1', port: 0 });
    await probe.close();
    await writeRuntimeInfo(home, { url, pid: 1 });
    const result = await run(['pair']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(/No gateway answered/);
  });

  it('exits 1 when the gateway refuses the admin secret', async () => {
    await startGateway('0'.repeat(64));
    await loadOrCreateAdminSecret(home);
    const result = await run(['pair']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(/refused the request \(403\)/);
  });

  it('never sends the admin secret to a non-loopback address', async () => {
    await loadOrCreateAdminSecret(home);
    await writeRuntimeInfo(home, { url: 'http://192.0.2.10:3000', pid: 1 });
    let called = false;
    const program = createProgram();
    registerPairCommand(program, {
      env: { GATEHOUSE_HOME: home },
      out: () => undefined,
      fetch: async () => {
        called = true;
        return new Response('{}');
      },
    });
    await expect(program.parseAsync(['node', 'gatehouse', 'pair'])).rejects.toThrow(/not loopback/);
    expect(called).toBe(false);
  });
});
