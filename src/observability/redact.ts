/*
 * Scrubs secrets out of free text (error messages, stacks, causes, upstream bodies) before it
 * reaches a log line, a /health `last_error` or a client. Structured fields are redacted by pino
 * paths in logger.ts; this covers what hides inside strings, where no path can reach.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

type Rule = readonly [pattern: RegExp, replacement: string | ((match: string) => string)];

const SECRET_FIELD = String.raw`[A-Za-z_-]*(?:key|token|secret|password|passwd|signature|sig)`;

const RULES: readonly Rule[] = [
  // JWTs first, so the base64 rule below does not leave the header/payload dots behind.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bgh_[A-Za-z0-9]{16,}/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
  // Telegram bot tokens also appear inside URLs as `/bot<id>:<secret>/`, so no word boundary.
  [/(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g, REDACTED],
  // key=value, "key": "value" and ?token=... in URLs and serialized bodies.
  [
    new RegExp(String.raw`\b(${SECRET_FIELD})(["']?\s*[:=]\s*["']?)([^\s"'&,;)}\]]+)`, 'gi'),
    `$1$2${REDACTED}`,
  ],
  [/\b[0-9a-fA-F]{32,}\b/g, REDACTED],
  [/[A-Za-z0-9+/_-]{32,}={0,2}/g, redactIfOpaque],
];

/**
 * Long runs of base64-ish characters are secrets when they look random (digits and both cases);
 * file paths in stack traces (`/node_modules/fastify/lib/...`) match the alphabet but are made of
 * short, word-like segments, so those are kept readable.
 */
function redactIfOpaque(match: string): string {
  if (!/[0-9]/.test(match) || !/[a-z]/.test(match) || !/[A-Z]/.test(match)) return match;
  const longestSegment = match.split('/').reduce((max, part) => Math.max(max, part.length), 0);
  return longestSegment >= 20 ? REDACTED : match;
}

/** Replaces bearer tokens, API keys, bot tokens, paired tokens and other secrets in `text`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) {
    out =
      typeof replacement === 'string'
        ? out.replace(pattern, replacement)
        : out.replace(pattern, replacement);
  }
  return out;
}

/** A short, sanitized, single-line description of any thrown value (for /health and events). */
export function describeError(error: unknown, maxLength = 300): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else text = 'unknown error';
  const clean = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
