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
});
