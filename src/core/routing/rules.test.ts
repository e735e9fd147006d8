import { describe, expect, it } from 'vitest';
import type { RouteInput, RoutingRuleSource } from './rules.js';
import { compileRules, globToRegExp, routeMessage } from './rules.js';

const base: RouteInput = {
  channel: 'api',
  senderId: 'paired:abc123',
  subject: 'paired:abc123',
  scopes: new Set(['channels:api']),
  text: 'hello there',
};

function route(sources: RoutingRuleSource[], input: Partial<RouteInput> = {}) {
  return routeMessage(compileRules(sources), { ...base, ...input });
}

describe('routeMessage', () => {
  it.each<[string, RoutingRuleSource[], Partial<RouteInput>, string, number | undefined]>([
    ['no rules → default', [], {}, 'default', undefined],
    ['channel name matches', [{ agent: 'a', channel: 'api' }], {}, 'a', 0],
    ['channel name differs', [{ agent: 'a', channel: 'slack' }], {}, 'default', undefined],
    ['channel list matches', [{ agent: 'a', channel: ['slack', 'api'] }], {}, 'a', 0],
    ['openai channel', [{ agent: 'a', channel: 'openai' }], { channel: 'openai' }, 'a', 0],
    [
      'sender glob on platform id',
      [{ agent: 'a', sender: ['+4412*'] }],
      { senderId: '+441234', channel: 'whatsapp' },
      'a',
      0,
    ],
    [
      'sender glob misses',
      [{ agent: 'a', sender: ['+4412*'] }],
      { senderId: '+331234', channel: 'whatsapp' },
      'default',
      undefined,
    ],
    ['? matches one char', [{ agent: 'a', sender: ['U0?'] }], { senderId: 'U01' }, 'a', 0],
    [
      '? does not match two',
      [{ agent: 'a', sender: ['U0?'] }],
      { senderId: 'U012' },
      'default',
      undefined,
    ],
    [
      'sender glob on JWT subject',
      [{ agent: 'a', sender: ['user:*'] }],
      { senderId: 'jwt:user:alice', subject: 'user:alice' },
      'a',
      0,
    ],
    [
      'glob is literal for regex characters',
      [{ agent: 'a', sender: ['a.c'] }],
      { senderId: 'abc', subject: undefined },
      'default',
      undefined,
    ],
    [
      'glob is case-sensitive',
      [{ agent: 'a', sender: ['u01'] }],
      { senderId: 'U01' },
      'default',
      undefined,
    ],
    ['scope present', [{ agent: 'a', scope: 'channels:api' }], {}, 'a', 0],
    ['scope missing', [{ agent: 'a', scope: 'admin' }], {}, 'default', undefined],
    ['text regex, case-insensitive', [{ agent: 'a', text: 'HELLO' }], {}, 'a', 0],
    ['text regex misses', [{ agent: 'a', text: '^refund' }], {}, 'default', undefined],
    ['text regex anchors and classes', [{ agent: 'a', text: '^hel+o\\s' }], {}, 'a', 0],
    [
      'all fields must match',
      [{ agent: 'a', channel: 'api', scope: 'channels:api', text: 'nope' }],
      {},
      'default',
      undefined,
    ],
    [
      'first match wins in file order',
      [
        { agent: 'first', text: 'hello' },
        { agent: 'second', channel: 'api' },
      ],
      {},
      'first',
      0,
    ],
    [
      'later rule matches when earlier does not',
      [
        { agent: 'first', channel: 'slack' },
        { agent: 'second', channel: 'api' },
      ],
      {},
      'second',
      1,
    ],
    ['rule naming default', [{ agent: 'default', channel: 'api' }], {}, 'default', 0],
  ])('%s', (_name, sources, input, agent, ruleIndex) => {
    const decision = route(sources, input);
    expect(decision.agent).toBe(agent);
    expect(decision.ruleIndex).toBe(ruleIndex);
  });

  it('is stable across repeated calls (no regex lastIndex state)', () => {
    const rules = compileRules([{ agent: 'a', text: 'hello' }]);
    for (let i = 0; i < 3; i += 1) expect(routeMessage(rules, base).agent).toBe('a');
  });
});

describe('globToRegExp', () => {
  it.each([
    ['*', 'anything', true],
    ['*', '', true],
    ['+1555*', '+15551234', true],
    ['+1555*', '+1666', false],
    ['paired:????', 'paired:abcd', true],
    ['paired:????', 'paired:abc', false],
    ['[x]', '[x]', true],
    ['[x]', 'x', false],
  ])('%s ~ %s → %s', (glob, value, expected) => {
    expect(globToRegExp(glob).test(value)).toBe(expected);
  });
});
