/** What identifies a counting stage (rate_limit, budget) apart from its limit. */
export interface CountingStage {
  key: string;
  channels?: readonly string[];
}

/**
 * Names the store bucket of each counting stage by what it counts — the stage kind, its key and
 * its channels — not by its position in the list, so a reload that inserts, removes or reorders
 * stages leaves every other stage with its counts, and raising a limit keeps the count. A second
 * stage counting the same thing gets `.2`, and so on. `seen` is shared by one build. The name
 * fits the StateStore's bucket names (letters, digits, `_.:-`, at most 128 characters).
 */
export function stageBucket(
  kind: 'rate_limit' | 'budget',
  stage: CountingStage,
  seen: Map<string, number>,
): string {
  const channels = stage.channels === undefined ? 'all' : [...stage.channels].sort().join('_');
  const identity = `${kind}.${stage.key}.${channels}`;
  const count = (seen.get(identity) ?? 0) + 1;
  seen.set(identity, count);
  return count === 1 ? identity : `${identity}.${count}`;
}
