import type { NamedStage, Stage, TurnContext } from './types.js';

const NOTHING_AFTER = (): Promise<void> => Promise.resolve();

/**
 * Chains named stages into one function. Each stage gets a `next` that runs the rest of the chain;
 * calling it twice would run the agent twice (double LLM cost, double reply), so it fails instead.
 * Every step hands on the promise of the one it runs rather than awaiting it in a wrapper of its
 * own: the chain runs on every message, and each wrapper would cost a promise and a resumption.
 */
export function composeStages(
  stages: readonly NamedStage[],
  terminal: Stage,
): (ctx: TurnContext) => Promise<void> {
  return function runPipeline(ctx) {
    let lastIndex = -1;
    function runStage(index: number): Promise<void> {
      try {
        if (index <= lastIndex) {
          throw new Error(
            `next() called multiple times in stage "${stages[index - 1]?.name ?? 'unknown'}"`,
          );
        }
        lastIndex = index;
        const stage = stages[index];
        if (stage === undefined) return terminal(ctx, NOTHING_AFTER);
        return stage.run(ctx, () => runStage(index + 1));
      } catch (error) {
        // A stage that throws before its first await fails the chain as an async one would.
        return Promise.reject(error as Error);
      }
    }
    return runStage(0);
  };
}
