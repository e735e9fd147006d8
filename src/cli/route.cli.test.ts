import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TempHome } from '../test-support/gatehouse-process.js';
import { buildCliIfStale, makeTempHome, runCli } from '../test-support/gatehouse-process.js';

const homes: TempHome[] = [];
function home(toml: string): TempHome {
  const created = makeTempHome(toml);
  homes.push(created);
  return created;
}

beforeAll(() => {
  buildCliIfStale();
}, 180_000);

afterEach(() => {
  for (const created of homes.splice(0)) created.cleanup();
});

const CONFIG = `
[agents.support]
system_prompt = "You handle refunds."

[agents.vip]
model = "echo-vip"

[[routing.rules]]
agent = "vip"
sender = ["user:boss*"]

[[routing.rules]]
agent = "support"
channel = ["slack", "whatsapp"]
text = "refund"
`;

describe('gatehouse route', () => {
  it.each([
    [
      ['--channel', 'slack', '--text', 'I want a REFUND'],
      'rule routing.rules[1] matched: agent support (provider echo, model echo)\n',
    ],
    [
      ['--channel', 'api', '--sender', 'user:bossman', '--text', 'refund'],
      'rule routing.rules[0] matched: agent vip (provider echo, model echo-vip)\n',
    ],
    [
      ['--channel', 'api', '--text', 'refund'],
      'no rule matched: agent default (provider echo, model echo)\n',
    ],
  ])('prints the matching rule and agent for %j', async (args, stdout) => {
    const { env } = home(CONFIG);
    const result = await runCli(['route', ...args], env);
    expect(result).toMatchObject({ code: 0, stdout });
  });

  it('exits 2 naming the channel option for an unknown channel', async () => {
    const result = await runCli(['route', '--channel', 'irc', '--text', 'x'], home(CONFIG).env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--channel');
  });

  it.each([
    [
      '[[routing.rules]]\nagent = "ghost"\n',
      'config error: routing.rules[0].agent — no agent "ghost"; define [agents.ghost] or use "default"\n',
    ],
    [
      '[agents.support]\nprovider = "nope"\n',
      'config error: agents.support.provider — no provider "nope"; known: echo\n',
    ],
  ])('exits 2 with one line naming the key for %j', async (toml, stderr) => {
    const result = await runCli(['route', '--channel', 'api', '--text', 'x'], home(toml).env);
    expect(result).toMatchObject({ code: 2, stderr });
  });

  it('refuses to start with an unknown agent in a rule (exit 2, one line)', async () => {
    const result = await runCli(['start'], home('[[routing.rules]]\nagent = "ghost"\n').env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'config error: routing.rules[0].agent — no agent "ghost"; define [agents.ghost] or use "default"\n',
    );
  });
});
