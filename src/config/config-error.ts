/** Exit code for invalid configuration or a refused start-up (bad flags, public bind). */
export const CONFIG_EXIT_CODE = 2;

/**
 * A configuration problem the operator must fix. The message is one human line (key path, received
 * value with secrets masked, what is allowed); the CLI prints it without a stack trace.
 */
export class ConfigError extends Error {
  readonly exitCode = CONFIG_EXIT_CODE;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** True when `value` is a ConfigError. */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}
