import { proxiedFetch } from '../http/proxied-fetch.js';
import * as z from 'zod';
import type { HealthProbe } from './types.js';

/** The parts of a /health body doctor reads; anything else in it is ignored. */
const healthBodySchema = z.object({
  status: z.string(),
  runtime: z
    .object({ tunnel: z.object({ url: z.url().optional() }).optional() })
    .optional()
    .catch(undefined),
});

export interface ProbeHealthOptions {
  fetch?: typeof fetch;
  timeoutMs: number;
}

/**
 * `GET <base>/health` within `timeoutMs`. Never throws: a refused connection, a timeout, a
 * non-2xx status or a body that is not gatehouse's health answer each become `ok: false` with a
 * reason fit for a terminal.
 */
export async function probeHealth(base: string, options: ProbeHealthOptions): Promise<HealthProbe> {
  const doFetch = options.fetch ?? proxiedFetch;
  const url = new URL('/health', base);
  let response: Response;
  try {
    response = await doFetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      // A redirect to a login page or another host is not this gateway answering.
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    return { ok: false, reason: describeFetchError(error, options.timeoutMs) };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { ok: false, reason: `HTTP ${response.status}` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON (an HTML error page of a proxy, a captive portal): not the gateway's answer.
    return { ok: false, reason: 'the answer is not JSON (is this a gatehouse gateway?)' };
  }
  const parsed = healthBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'the answer is not a gatehouse /health body' };
  const tunnelUrl = parsed.data.runtime?.tunnel?.url;
  return {
    ok: true,
    status: parsed.data.status,
    ...(tunnelUrl === undefined ? {} : { tunnelUrl }),
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause) {
    return `connection failed (${String(cause.code)})`;
  }
  return error instanceof Error ? error.message : String(error);
}
