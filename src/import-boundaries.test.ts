import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The import-boundary rules of `npm run lint`, checked against small probe sources placed (in
 * name only) in each layer, so a config change that silently disables them fails here.
 */
const eslint = new ESLint();

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

describe('import boundaries', () => {
  it.each([
    ['src/core/probe.ts', '../server/types.js'],
    ['src/limits/probe.ts', '../channels/types.js'],
    ['src/state/probe.ts', '../server/types.js'],
    ['src/inbox/probe.ts', '../channels/types.js'],
    ['src/memory/probe.ts', '../server/types.js'],
    ['src/providers/probe.ts', '../channels/types.js'],
    ['src/channels/probe.ts', '../server/types.js'],
    ['src/http/probe.ts', '../channels/types.js'],
  ])('refuses %s importing %s', async (filePath, target) => {
    const code = `import type * as Probe from '${target}';\nexport type P = typeof Probe;\n`;
    expect(await ruleIds(filePath, code)).toContain('import-x/no-restricted-paths');
  });

  it.each([
    ['src/core/probe.ts', './delivery.js'],
    ['src/channels/probe.ts', '../http/route-types.js'],
    ['src/server/probe.ts', '../channels/types.js'],
  ])('allows %s importing %s', async (filePath, target) => {
    const code = `import type * as Probe from '${target}';\nexport type P = typeof Probe;\n`;
    expect(await ruleIds(filePath, code)).not.toContain('import-x/no-restricted-paths');
  });
});
