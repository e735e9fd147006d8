/*
 * The tunnel child runs third-party code. It inherits the environment it needs (PATH, HOME,
 * proxies, its own config variables) but none of the gateway's GATEHOUSE_* secrets (JWT secret,
 * provider keys, channel secrets); its own secret comes only through the launch's env.
 */

/** The child's environment: `parent` without GATEHOUSE_* variables, plus `extra`. */
export function childEnv(
  parent: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !name.toUpperCase().startsWith('GATEHOUSE_')) env[name] = value;
  }
  return { ...env, ...extra };
}
