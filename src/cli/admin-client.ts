import * as z from 'zod';
import { readAdminSecret } from '../auth/admin-secret.js';
import { readRuntimeInfo, runtimeInfoPath } from '../runtime/runtime-info.js';
import { isLoopbackHost } from '../http/loopback.js';

/** A local admin call that failed; the message is one line for the terminal. */
export class AdminClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdminClientError';
  }
}

export interface AdminClientOptions {
  /** `$GATEHOUSE_HOME` of the gateway to reach. */
  home: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const pairCodeSchema = z.strictObject({ code: z.string().regex(/^\d{6}$/) });

/**
 * Calls an admin endpoint of the gateway running from `home`: its URL comes from
 * `gateway.json` (the configured port may be 0) and the secret from `admin.secret`.
 */
export async function callAdmin(
  options: AdminClientOptions & { method: 'GET' | 'POST' | 'DELETE'; path: string },
): Promise<unknown> {
  const info = await readRuntimeInfo(options.home);
  if (info === undefined) {
    throw new AdminClientError(
      `No running gateway found (${runtimeInfoPath(options.home)} is missing). Start it with \`gatehouse start\`, using the same --config.`,
    );
  }
  const url = new URL(options.path, info.url);
  // The secret must never leave the machine, even if gateway.json names another host.
  if (!isLoopbackHost(url.hostname)) {
    throw new AdminClientError(
      `The gateway listens on ${url.host}, which is not loopback; admin commands only work over loopback`,
    );
  }
  const secret = await readAdminSecret(options.home);
  if (secret === undefined) {
    throw new AdminClientError(
      `No admin secret in ${options.home}; is the gateway running from it?`,
    );
  }
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: options.method,
      headers: { 'x-admin-secret': secret },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
  } catch (error) {
    throw new AdminClientError(
      `No gateway answered at ${info.url} (pid ${info.pid}); is it still running?`,
      { cause: error },
    );
  }
  const body: unknown = await response.json().catch((error: unknown) => {
    throw new AdminClientError(`The gateway at ${info.url} sent a non-JSON answer`, {
      cause: error,
    });
  });
  if (!response.ok) {
    const detail =
      typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : '';
    throw new AdminClientError(`The gateway refused the request (${response.status}): ${detail}`);
  }
  return body;
}

/** Asks the running gateway for a fresh pairing code (replacing any earlier one). */
export async function requestPairingCode(options: AdminClientOptions): Promise<string> {
  const body = await callAdmin({ ...options, method: 'POST', path: '/admin/pair-code' });
  const parsed = pairCodeSchema.safeParse(body);
  if (!parsed.success) throw new AdminClientError('The gateway sent an unexpected pairing answer');
  return parsed.data.code;
}
