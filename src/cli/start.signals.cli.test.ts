import { describe, expect, it } from 'vitest';
import { spawnCli, useBuiltCli } from '../test-support/gatehouse-process.js';

/*
 * SIGTERM's default action ends a process at once. The gateway installs its handlers before it
 * prints its start-up lines, so a stop sent the moment a line appears is a graceful close with
 * exit 0, never a death by signal. (A signal during start-up still ends it: see tunnel.cli.test.)
 */

const { tempHome } = useBuiltCli();

describe('gatehouse start and SIGTERM', () => {
  it.each([
    ['on the listening line', /^gatehouse listening on /m],
    ['on the pairing code line', /^gatehouse pairing code: /m],
  ])('a SIGTERM sent %s closes gracefully with exit 0', async (_when, line) => {
    const home = tempHome('[gateway]\nport = 0\n[observability]\nlog_level = "info"\n');
    const gateway = spawnCli(['start'], home.env);
    await gateway.waitFor(line);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.stdout()).toMatch(/"msg":"shutting down"/);
  });

  it('with gateway.shutdown_delay_secs, keeps serving after SIGTERM while /readyz says 503, then exits 0', async () => {
    const token = `gth_${'3c9e'.repeat(16)}`;
    const home = tempHome(
      `[gateway]\nport = 0\nshutdown_delay_secs = 2\npaired_tokens = ["${token}"]\n` +
        '[observability]\nlog_level = "info"\n',
    );
    const gateway = spawnCli(['start'], home.env);
    const url = (await gateway.waitFor(/^gatehouse listening on (http:\/\/\S+)$/m))[1];
    gateway.child.kill('SIGTERM');
    await gateway.waitFor(/the drain begins after the shutdown delay/);

    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const answer = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'after SIGTERM' }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      response: expect.stringContaining('after SIGTERM'),
    });
    expect(gateway.child.exitCode).toBeNull();
    expect(await gateway.exited).toBe(0);
  });
});
