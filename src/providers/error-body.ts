import * as z from 'zod';

/*
 * One schema covers both vendors' error bodies:
 *   OpenAI-compatible: {"error":{"message","type","param","code"}} (OpenRouter: numeric code)
 *   Anthropic:         {"type":"error","error":{"type","message"}}
 *   Ollama and others: {"error":"model not found"}
 */
const errorObject = z.object({
  message: z.string().optional(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

const errorBodySchema = z.object({
  error: z.union([z.string(), errorObject]),
});

/** The useful parts of an upstream error body. */
export interface UpstreamErrorDetail {
  /** Upstream code or type, e.g. "invalid_api_key" or "overloaded_error". */
  label?: string;
  message?: string;
}

/** Extracts label and message from an error body in any supported vendor shape. */
export function parseUpstreamError(value: unknown): UpstreamErrorDetail | undefined {
  // Every event of a healthy stream passes through here: an object without an `error` key is
  // answered before the schema, whose failure path (building issues) costs far more than a match.
  if (typeof value !== 'object' || value === null || !('error' in value)) return undefined;
  const parsed = errorBodySchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { error } = parsed.data;
  if (typeof error === 'string') return { message: error };
  const label = error.code ?? error.type ?? undefined;
  return {
    label: label === undefined ? undefined : String(label),
    message: error.message,
  };
}

/** Parses raw body text; falls back to the text itself when it is not a known JSON shape. */
export function describeErrorBody(text: string): UpstreamErrorDetail {
  try {
    const detail = parseUpstreamError(JSON.parse(text));
    if (detail) return detail;
  } catch {
    // Not JSON (an HTML error page from a proxy, plain text): use the raw text below.
  }
  const trimmed = text.trim();
  return trimmed === '' ? {} : { message: trimmed };
}

/** Formats `"<provider> API error <status> (<label>): <message>"`, omitting missing parts. */
export function formatHttpError(provider: string, status: number, detail: UpstreamErrorDetail) {
  const label = detail.label ? ` (${detail.label})` : '';
  const message = detail.message ? `: ${detail.message}` : '';
  return `${provider} API error ${status}${label}${message}`;
}
