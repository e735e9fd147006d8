import { describe, expect, it } from 'vitest';
import { assertStateName } from '../state/state-arguments.js';
import { stageBucket, type CountingStage } from './stage-buckets.js';

describe('stageBucket', () => {
  it.each<[string, 'rate_limit' | 'budget', CountingStage, string]>([
    ['all channels', 'budget', { key: 'subject' }, 'budget.subject.all'],
    [
      'channels in any order',
      'budget',
      { key: 'subject', channels: ['web', 'api'] },
      'budget.subject.api_web',
    ],
    ['another key', 'rate_limit', { key: 'client' }, 'rate_limit.client.all'],
  ])('%s', (_name, kind, stage, bucket) => {
    expect(stageBucket(kind, stage, new Map())).toBe(bucket);
  });

  it('keeps each stage in its bucket when another stage is inserted before it', () => {
    const before = new Map<string, number>();
    const principal = stageBucket('budget', { key: 'subject' }, before);
    const after = new Map<string, number>();
    stageBucket('budget', { key: 'channel', channels: ['slack'] }, after);
    expect(stageBucket('budget', { key: 'subject' }, after)).toBe(principal);
  });

  it('names even the longest stage within the StateStore bucket rules (stored as stage:<name>)', () => {
    const seen = new Map<string, number>();
    const every = ['whatsapp', 'telegram', 'openai', 'slack', 'api', 'web'];
    stageBucket('rate_limit', { key: 'subject', channels: every }, seen);
    const second = stageBucket('rate_limit', { key: 'subject', channels: every }, seen);
    expect(() => assertStateName(`stage:${second}`)).not.toThrow();
  });

  it('tells apart two stages counting the same thing, and rate limits from budgets', () => {
    const seen = new Map<string, number>();
    expect(stageBucket('budget', { key: 'subject' }, seen)).toBe('budget.subject.all');
    expect(stageBucket('budget', { key: 'subject' }, seen)).toBe('budget.subject.all.2');
    expect(stageBucket('rate_limit', { key: 'subject' }, seen)).toBe('rate_limit.subject.all');
  });
});
