import { describe, expect, it } from 'vitest';
import { composeStages } from './compose.js';
import type { NamedStage, TurnContext } from './types.js';

const ctx = {} as TurnContext;

describe('composeStages', () => {
  it('runs stages in order around the terminal step', async () => {
    const seen: string[] = [];
    const stage = (name: string): NamedStage => ({
      name,
      run: async (_ctx, next) => {
        seen.push(`${name}:in`);
        await next();
        seen.push(`${name}:out`);
      },
    });
    await composeStages([stage('a'), stage('b')], async () => {
      seen.push('terminal');
    })(ctx);
    expect(seen).toEqual(['a:in', 'b:in', 'terminal', 'b:out', 'a:out']);
  });

  it('stops the chain when a stage does not call next', async () => {
    let terminalRan = false;
    const shortCircuit: NamedStage = { name: 'stop', run: async () => {} };
    await composeStages([shortCircuit], async () => {
      terminalRan = true;
    })(ctx);
    expect(terminalRan).toBe(false);
  });

  it('throws when a stage calls next() twice', async () => {
    let terminalRuns = 0;
    const twice: NamedStage = {
      name: 'twice',
      run: async (_ctx, next) => {
        await next();
        await next();
      },
    };
    const run = composeStages([twice], async () => {
      terminalRuns += 1;
    });
    await expect(run(ctx)).rejects.toThrow('next() called multiple times in stage "twice"');
    expect(terminalRuns).toBe(1);
  });
});

describe('composeStages with steps that throw before they return a promise', () => {
  it('rejects instead of throwing, wherever the step sits in the chain', async () => {
    const failure = new Error('broken stage');
    const throwing: NamedStage = {
      name: 'throwing',
      run: () => {
        throw failure;
      },
    };
    const passing: NamedStage = { name: 'passing', run: (_ctx, next) => next() };
    const throwingTerminal = () => {
      throw failure;
    };
    for (const run of [
      composeStages([throwing], async () => {}),
      composeStages([passing, throwing], async () => {}),
      composeStages([passing], throwingTerminal),
      composeStages([], throwingTerminal),
    ]) {
      let result: Promise<void> | undefined;
      expect(() => (result = run(ctx))).not.toThrow();
      await expect(result).rejects.toBe(failure);
    }
  });
});
