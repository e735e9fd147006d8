import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadOrCreateAdminSecret } from '../auth/admin-secret.js';
import { createSessionRegistry } from '../channels/web/session-registry.js';
import { webRoutes } from '../channels/web/routes.js';
import { isGatewayError } from '../errors.js';
import { writeRuntimeInfo } from '../runtime/runtime-info.js';
import { requireAdmin } from '../server/routes/admin.js';
import { createProgram, runProgram } from './program.js';
import { registerSessionsCommand } from './sessions.js';

const SESSION_ID = '6f1c2f9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f';
let home: string;
let app: FastifyInstance | undefined;
const closed: Array<[string, number]> = [];

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-sessions-cli-'));
  const registry = createSessionRegistry({ record: () => undefined });
  registry.add({
    sessionId: SESSION_ID,
    jti: undefined,
    info: {
      session_id: SESSION_ID,
      principal_id: 'jwt:user:alice',
      principal_kind: 'jwt',
      channel: 'web',
      agent: 'default',
      client_key: '127.0.0.1',
      connected_at: '2024-01-01T00:00:00.000Z',
    },
    close: (code) => closed.push([SESSION_ID, code]),
  });
  app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    if (!isGatewayError(error)) return reply.code(500).send({ error: 'Internal server error' });
    return reply.code(error.status).send(error.toBody());
  });
  const adminGuard = requireAdmin(await loadOrCreateAdminSecret(home));
  await webRoutes({
    authenticator: () => Promise.reject(new Error('unused')),
    tickets: {
      issue: () => Promise.reject(new Error('unused')),
      consume: () => Promise.reject(new Error('unused')),
    },
    registry,
    origins: { allowedOrigins: [], selfOrigins: () => [] },
    adminGuard,
  })(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await writeRuntimeInfo(home, { url, pid: process.pid });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  closed.length = 0;
  rmSync(home, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ out: string[]; err: string; exitCode: number }> {
  const out: string[] = [];
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const program = createProgram();
    registerSessionsCommand(program, {
      env: { GATEHOUSE_HOME: home },
      out: (line) => out.push(line),
    });
    const exitCode = await runProgram(program, ['node', 'gatehouse', 'sessions', ...args]);
    return { out, err, exitCode: exitCode ?? 0 };
  } finally {
    stderr.mockRestore();
  }
}

describe('gatehouse sessions', () => {
  it('lists live sessions through the loopback admin endpoint', async () => {
    const result = await run(['list']);
    expect(result.exitCode).toBe(0);
    expect(result.out[1]).toContain(`${SESSION_ID}\tjwt:user:alice\tdefault`);
  });

  it('kills a session with close code 4002', async () => {
    const result = await run(['kill', SESSION_ID]);
    expect(result.exitCode).toBe(0);
    expect(closed).toEqual([[SESSION_ID, 4002]]);
  });

  it('reports an unknown session as an error', async () => {
    const result = await run(['kill', '00000000-0000-4000-8000-000000000000']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('404');
  });

  it('refuses a malformed session id before calling the gateway', async () => {
    expect((await run(['kill', 'not-a-uuid'])).exitCode).toBe(2);
  });
});
