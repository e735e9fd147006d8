import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startCli, useBuiltCli } from '../test-support/gatehouse-process.js';

/*
 * The launcher holds V8's optimizing compiler off while the gateway starts; `gatehouse start`
 * must hand it back once it listens, or every request would run unoptimized. V8 reports each
 * function it optimizes under --trace-opt (on stdout, like the listening line).
 */

const { tempHome } = useBuiltCli();

const OPTIMIZED = /^\[completed optimizing /gm;

/** `count` GETs of `url`, `parallel` at a time, on kept-alive connections. */
async function hammer(url: string, count: number, parallel: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      request(url, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
}

describe('V8 settings held during start-up', () => {
  it('optimizes nothing while starting, and optimizes request handling once it listens', async () => {
    const home = tempHome('[gateway]\nport = 0\n\n[observability]\nlog_level = "warn"\n');
    const gateway = await startCli(['--config', home.configPath], home.env, {
      nodeArgs: ['--trace-opt'],
    });
    const beforeListening = gateway.stdout().split('gatehouse listening on')[0] ?? '';
    expect(beforeListening.match(OPTIMIZED) ?? []).toEqual([]);

    await hammer(`${gateway.url}/livez`, 4_000, 8);
    // Optimization runs on a background thread; its report follows shortly.
    await gateway.waitFor(OPTIMIZED);
    expect((gateway.stdout().match(OPTIMIZED) ?? []).length).toBeGreaterThan(0);
  });
});
