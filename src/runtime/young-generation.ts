import { setFlagsFromString } from 'node:v8';

/** V8's own factor (`node --v8-options`): the young generation doubles when it grows. */
const V8_DEFAULT_GROWTH_FACTOR = 2;

/** Whether whoever runs node chose the growth factor themselves (a flag or NODE_OPTIONS). */
export function growthFactorChosenByUser(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  const named = (text: string) => /--semi[-_]space[-_]growth[-_]factor/.test(text);
  return execArgv.some(named) || (nodeOptions !== undefined && named(nodeOptions));
}

/**
 * The `gatehouse` launcher (scripts/launcher.mjs) holds V8's young generation at its initial size
 * while the gateway starts: start-up allocates mostly objects that live as long as the process
 * (modules, config, routes), which V8 takes as a reason to double the young generation up to
 * 16 MB that would then sit idle. Once the gateway listens, growth is allowed again, so a busy
 * gateway still gets a young generation as large as its load needs.
 */
export function allowYoungGenerationGrowth(): void {
  if (!growthFactorChosenByUser()) {
    setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
  }
}
