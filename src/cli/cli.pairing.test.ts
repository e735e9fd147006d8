import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCli, useBuiltCli } from '../test-support/gatehouse-process.js';
import { postMessage, send } from '../test-support/gateway-harness.js';

const cli = useBuiltCli();

describe('gatehouse start: pairing across a restart of the real process', () => {
  it('prints the code once, pairs, and after SIGTERM and a restart the token still works without a new code', async () => {
    const home = cli.tempHome(
      '# my gateway\n[observability]\nlog_level = "debug"\n\n[gateway]\n# loopback only\nport = 0\n',
    );
    const first = await startCli([], home.env);
    const match = await first.waitFor(/^gatehouse pairing code: (\d{6})$/m);
    const code = match[1] ?? '';
    // The JSON start-up log comes after both plain lines; once it is there, start-up output is complete.
    await first.waitFor(/"msg":"gateway started"/);

    const paired = await send(first, '/pair', { headers: { 'x-pairing-code': code } });
    expect(paired.status).toBe(200);
    const token = String(paired.body.token);
    expect(token).toMatch(/^gth_[0-9a-f]{64}$/);
    const chat = await postMessage(first, 'over the wire', { token });
    expect(chat.body).toEqual({ response: 'echo: over the wire', model: 'echo', agent: 'default' });

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const output = first.stdout() + first.stderr();
    const codeLines = output
      .split('\n')
      .filter((line) => new RegExp(`(?<!\\d)${code}(?!\\d)`).test(line));
    expect(codeLines).toEqual([
      `gatehouse pairing code: ${code}`,
      expect.stringMatching(
        new RegExp(`^gatehouse pair: curl -X POST http://\\S+/pair -H 'X-Pairing-Code: ${code}'$`),
      ),
    ]);
    expect(output).not.toContain(token);

    const config = readFileSync(home.configPath, 'utf8');
    expect(config).toContain(createHash('sha256').update(token).digest('hex'));
    expect(config).not.toContain(token);
    expect(config).toContain('# my gateway');
    expect(config).toContain('# loopback only');

    const second = await startCli([], home.env);
    await second.waitFor(/"msg":"gateway started"/);
    expect(second.stdout()).not.toMatch(/pairing code/);
    expect(second.stdout()).toContain(
      'gatehouse is already paired; run `gatehouse pair` to get a new code',
    );
    const again = await postMessage(second, 'after restart', { token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      response: 'echo: after restart',
      model: 'echo',
      agent: 'default',
    });
    const health = await send(second, '/health', { method: 'GET' });
    expect(health.body.paired).toBe(true);
  });
});
