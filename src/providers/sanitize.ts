import { REDACTED, redactSecrets } from '../observability/index.js';

/** Placeholder that replaces every secret removed by sanitizeProviderError. */
export { REDACTED };

/** Longest sanitized message; upstream error pages can be megabytes of HTML. */
export const MAX_SANITIZED_LENGTH = 500;

/** Known secrets shorter than this are not replaced verbatim: it would shred ordinary words. */
const MIN_KNOWN_SECRET_LENGTH = 8;

/**
 * Removes every `knownSecrets` value, then API keys, bearer tokens, JWTs, URL passwords and long
 * random strings (the shared patterns of redactSecrets) from an upstream error text, collapses
 * control characters (log injection) and truncates the result.
 */
export function sanitizeProviderError(text: string, knownSecrets: readonly string[] = []): string {
  const known = knownSecrets.filter((secret) => secret.length >= MIN_KNOWN_SECRET_LENGTH);
  let out = redactSecrets(text, known);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return out.length > MAX_SANITIZED_LENGTH ? `${out.slice(0, MAX_SANITIZED_LENGTH - 1)}…` : out;
}
