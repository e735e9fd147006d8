/** Placeholder that replaces every secret removed by sanitizeProviderError. */
export const REDACTED = '[REDACTED]';

/** Longest sanitized message; upstream error pages can be megabytes of HTML. */
export const MAX_SANITIZED_LENGTH = 500;

/** Known secrets shorter than this are not replaced verbatim: it would shred ordinary words. */
const MIN_KNOWN_SECRET_LENGTH = 8;

/** Long runs of base64/hex-ish characters; a run is only redacted when it looks random. */
const LONG_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;

/*
 * Order matters: patterns that keep a useful label (`Bearer`, `x-api-key:`, `key=`) run before the
 * generic ones, so the label survives and only the value becomes [REDACTED].
 */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Authorization header values of any scheme-compatible shape, including our own tokens.
  [/\bBearer\s+[^\s"',;]+/gi, `Bearer ${REDACTED}`],
  [/\b(x-api-key|api-key|x-goog-api-key)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, `$1$2${REDACTED}`],
  // Keys in URLs or form bodies: ?key=..., &api_key=..., access_token=...
  [
    /([?&;\s"']|^)(api[_-]?key|key|token|access_token|secret|password)=[^&\s"'#]+/gi,
    `$1$2=${REDACTED}`,
  ],
  // JSON-ish "api_key": "..." echoed back by some upstreams.
  [/("?api[_-]?key"?\s*:\s*")[^"]+"/gi, `$1${REDACTED}"`],
  // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-api03-), OpenRouter (sk-or-v1-).
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  // Paired gateway tokens: fixed prefix + 32 random bytes in hex.
  [/\bgh_[0-9a-fA-F]{64}\b/g, REDACTED],
  // JWTs: base64url header starting with {" then payload and signature.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
];

/**
 * Removes API keys, bearer tokens, JWTs, long random strings and every `knownSecrets` value from
 * an upstream error text, collapses control characters (log injection) and truncates the result.
 */
export function sanitizeProviderError(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another one is removed whole.
  const secrets = [...knownSecrets]
    .filter((secret) => secret.length >= MIN_KNOWN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  out = out.replace(LONG_RUN, (run) => (looksRandom(run) ? REDACTED : run));
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return out.length > MAX_SANITIZED_LENGTH ? `${out.slice(0, MAX_SANITIZED_LENGTH - 1)}…` : out;
}

/** A digit or mixed case marks a key-like run; long plain words and paths stay readable. */
function looksRandom(run: string): boolean {
  return /\d/.test(run) || (/[a-z]/.test(run) && /[A-Z]/.test(run));
}
