import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings the `gatehouse` launcher (scripts/launcher.cjs) holds while the gateway starts, and
 * what they return to once it listens. Start-up runs code once and allocates mostly objects that
 * live as long as the process (modules, config, routes); V8 reads both as signs of a busy program:
 *
 * - it doubles the young generation, up to 16 MB that would then sit idle;
 * - it hands loops that ran a few thousand times (Node's path handling while loading the SQLite
 *   addon, pino compiling its redaction paths) to its optimizing compiler, which brings about
 *   3.5 MB of compiler code into memory for code that never runs again.
 *
 * Once the gateway listens both are allowed again, so a busy gateway gets a young generation
 * as large as its load needs and optimized request handling. A setting the user chose (a node
 * flag or NODE_OPTIONS) is never touched.
 */
export const START_UP_SETTINGS = [
  {
    during: '--semi-space-growth-factor=1',
    after: '--semi-space-growth-factor=2', // V8's default (`node --v8-options`)
    chosenBy: /--semi[-_]space[-_]growth[-_]factor/,
  },
  {
    during: '--no-turbofan',
    after: '--turbofan',
    chosenBy: /--(no[-_])?(turbofan|opt|jitless)\b/,
  },
] as const;

/** Whether whoever runs node set this themselves (a node flag or NODE_OPTIONS). */
export function chosenByUser(
  pattern: RegExp,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  return execArgv.some((arg) => pattern.test(arg)) || pattern.test(nodeOptions ?? '');
}

/** Returns the settings the launcher held during start-up to V8's defaults. */
export function endStartUpSettings(): void {
  for (const setting of START_UP_SETTINGS) {
    if (!chosenByUser(setting.chosenBy)) setFlagsFromString(setting.after);
  }
}
