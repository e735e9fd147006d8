import type { NamedStage, Stage, TurnContext } from './types.js';

/**
 * Chains named stages into one function. Each stage gets a `next` that runs the rest of the chain;
 * calling it twice would run the agent twice (double LLM cost, double reply), so it throws instead.
 */
export function composeStages(
  stages: readonly NamedStage[],
  terminal: Stage,
): (ctx: TurnContext) => Promise<void> {
  return async function runPipeline(ctx) {
    let lastIndex = -1;
    async function runStage(index: number): Promise<void> {
      if (index <= lastIndex) {
        throw new Error(
          `next() called multiple times in stage "${stages[index - 1]?.name ?? 'unknown'}"`,
        );
      }
      lastIndex = index;
      const stage = stages[index];
      if (stage === undefined) {
        await terminal(ctx, async () => {});
        return;
      }
      await stage.run(ctx, () => runStage(index + 1));
    }
    await runStage(0);
  };
}
