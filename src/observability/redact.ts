/*
 * The one place that knows what a secret looks like in free text (error messages, stacks, causes,
 * upstream bodies) before it reaches a log line, a /health `last_error`, an event or a client.
 * Structured fields are redacted by pino paths in logger.ts; this covers what hides inside
 * strings, where no path can reach. Providers and channel adapters build on `redactSecrets`.
 *
 * Every pattern keeps its quantifiers bounded wherever a match can start at many positions of
 * the same run: an unbounded `[A-Za-z_-]*` before an alternation made `'a-'.repeat(20000)` take
 * seconds (quadratic backtracking), and log text is attacker-influenced.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Longest text the patterns run over; the rest is cut (logs do not need megabyte messages). */
export const MAX_REDACT_INPUT = 8 * 1024;

/** Appended where `redactSecrets` cut a longer text. */
export const TRUNCATED_MARKER = '…[truncated]';

/**
 * How far a cut backs off to the start of the token it falls into: a secret cut in half leaves a
 * prefix too short for any pattern to recognise. Longer than any credential format we know.
 */
const MAX_TOKEN_BACKOFF = 1024;

type Rule = readonly [pattern: RegExp, replacement: string | ((match: string) => string)];

/** Stops the key=value rule from matching a value an earlier rule already replaced. */
const NOT_REDACTED = String.raw`(?!\[REDACTED\])`;

const SECRET_FIELD = String.raw`[A-Za-z_-]{0,32}(?:key|token|secret|password|passwd|signature|sig)`;

const RULES: readonly Rule[] = [
  // URL userinfo (`https://user:pass@host`): undici echoes such URLs in its error messages. The
  // greedy password run backs off to the last `@` of the authority, as WHATWG URL parsing does.
  [/\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s/?#@:]{0,256}):[^\s/?#]{1,256}@/gi, `$1:${REDACTED}@`],
  // JWTs first, so the base64 rule below does not leave the header/payload dots behind.
  [/\beyJ[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // Bearer values of any shape (our paired tokens, vendor keys, opaque session ids).
  [/\b(Bearer)\s{1,8}[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/\b(Basic|Token)\s{1,8}[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-api03-), OpenRouter (sk-or-v1-).
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, REDACTED],
  // Paired gateway tokens: `gth_` (PAIRED_TOKEN_PREFIX in auth/paired-tokens.ts) + 64 hex; a
  // shorter run still counts, so a token cut by a length limit is not half-printed.
  [/\bgth_[0-9a-fA-F]{8,}/g, REDACTED],
  // GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_).
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
  // Telegram bot tokens also appear inside URLs as `/bot<id>:<secret>/`, so no word boundary.
  [/(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g, REDACTED],
  // "api_key": "a value with spaces" echoed back in a JSON body: the whole quoted value goes.
  [
    new RegExp(String.raw`("${SECRET_FIELD}"\s{0,8}:\s{0,8}")[^"]{1,2048}"`, 'gi'),
    `$1${REDACTED}"`,
  ],
  // key=value, "key": "value", x-api-key: value and ?token=... in URLs and serialized bodies.
  [
    new RegExp(
      String.raw`(${SECRET_FIELD})(["']?\s{0,8}[:=]\s{0,8}["']?)${NOT_REDACTED}([^\s"'&,;)}\]]+)`,
      'gi',
    ),
    `$1$2${REDACTED}`,
  ],
  [/\b[0-9a-fA-F]{32,}\b/g, REDACTED],
  [/[A-Za-z0-9+/_-]{32,}={0,2}/g, redactIfOpaque],
];

/**
 * Long runs of base64-ish characters are secrets when they look random. File paths in stack
 * traces (`/node_modules/fastify/lib/...`) match the alphabet but are short word-like segments,
 * and UUIDs or model ids (`llama-v3p1-405b-instruct`) are short pieces joined by dashes: those are
 * kept readable.
 */
function redactIfOpaque(match: string): string {
  const longestSegment = longestPart(match, /\//);
  if (longestSegment < 20 || !/[0-9]/.test(match)) return match;
  const mixedCase = /[a-z]/.test(match) && /[A-Z]/.test(match);
  if (mixedCase || longestPart(match, /[/_-]/) >= 16) return REDACTED;
  return match;
}

function longestPart(text: string, separator: RegExp): number {
  return text.split(separator).reduce((max, part) => Math.max(max, part.length), 0);
}

/** Characters that end a token; a cut that falls between two other characters splits a token. */
const TOKEN_END = /[\s"'<>,;&?()[\]{}]/;

/** Where to cut `text` to MAX_REDACT_INPUT, backing off to the start of a token the cut would split. */
function cutIndex(text: string): number {
  let end = MAX_REDACT_INPUT;
  if (!TOKEN_END.test(text.charAt(end))) {
    const floor = end - MAX_TOKEN_BACKOFF;
    while (end > floor && !TOKEN_END.test(text.charAt(end - 1))) end--;
  }
  return end;
}

/**
 * Replaces bearer tokens, API keys, bot tokens, paired tokens, URL passwords and other secrets in
 * `text`, plus every non-empty `knownSecrets` value verbatim (a configured key of any format).
 * Text past MAX_REDACT_INPUT is dropped and marked with TRUNCATED_MARKER.
 */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  // Known secrets go first, on the whole text, so the cut below can never split one of them.
  // Longest first, so a secret that contains another one is removed whole.
  const known = knownSecrets.filter((secret) => secret.length > 0);
  for (const secret of known.sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  const truncated = out.length > MAX_REDACT_INPUT;
  if (truncated) out = out.slice(0, cutIndex(out));
  for (const [pattern, replacement] of RULES) {
    out =
      typeof replacement === 'string'
        ? out.replace(pattern, replacement)
        : out.replace(pattern, replacement);
  }
  // The marker goes on after the patterns ran, so a label left at the cut cannot swallow it.
  return truncated ? `${out}${TRUNCATED_MARKER}` : out;
}

/** A short, sanitized, single-line description of any thrown value (for /health, events, inbox). */
export function describeError(error: unknown, maxLength = 300): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else text = 'unknown error';
  const clean = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
