import { afterEach, describe, expect, it } from 'vitest';
import {
  closeTestGateways,
  handMadeToken,
  postMessage,
  send,
  startTestGateway,
} from './test-support/gateway-harness.js';

/*
 * `gateway.shutdown_delay_secs`: once a stop begins, /readyz answers 503 while requests are still
 * served for that long, so a load balancer polling it takes the instance out before the drain
 * refuses anything.
 */

const TOKEN = handMadeToken('7a1c');
const DELAY_SECS = 2;

afterEach(closeTestGateways);

describe('gateway.shutdown_delay_secs', () => {
  it('keeps serving while /readyz answers 503, then drains', async () => {
    const gateway = await startTestGateway({
      toml: [
        '[gateway]',
        `paired_tokens = ["${TOKEN}"]`,
        `shutdown_delay_secs = ${DELAY_SECS}`,
        '',
      ].join('\n'),
    });
    const server = gateway.handle.app.server;
    const startedAt = performance.now();
    const closing = gateway.handle.close();
    let closed = false;
    void closing.then(() => (closed = true));

    expect((await send(gateway, '/readyz', { method: 'GET' })).status).toBe(503);
    const answer = await postMessage(gateway, 'still served', { token: TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.body.response).toEqual(expect.stringContaining('still served'));
    expect(server.listening).toBe(true);
    expect(closed).toBe(false);
    // A second stop request waits for the same close instead of starting another delay.
    expect(gateway.handle.close()).toBe(closing);

    await closing;
    // Timers may fire a little early on some platforms: a few ms of slack, not a second.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(DELAY_SECS * 1000 - 50);
    expect(server.listening).toBe(false);
    expect(gateway.logLines.join('\n')).toContain('the drain begins after the shutdown delay');
  });

  it('drains without waiting when no delay is set (the default)', async () => {
    const gateway = await startTestGateway({
      toml: ['[gateway]', `paired_tokens = ["${TOKEN}"]`, ''].join('\n'),
    });
    expect(gateway.handle.config.gateway.shutdown_delay_secs).toBe(0);
    const server = gateway.handle.app.server;
    await gateway.handle.close();
    expect(server.listening).toBe(false);
    expect(gateway.logLines.join('\n')).not.toContain('shutdown delay');
  });
});
