import * as z from 'zod';
import type { TunnelConfig } from '../config/schema.js';
import { connectHostPort, publicOrigin } from './target-address.js';
import type { TunnelLaunch, TunnelTarget } from './types.js';

/*
 * ngrok with `--log stdout --log-format json`: one JSON object per line; the line with
 * `"msg":"started tunnel"` carries the public `url`. The auth token travels in `NGROK_AUTHTOKEN`,
 * never as `--authtoken` on the command line.
 */

/** The fields of ngrok's "started tunnel" log line that matter; other fields are ignored. */
const startedTunnelLine = z.object({
  msg: z.literal('started tunnel'),
  url: z.string(),
});

/** The public URL from one ngrok JSON log line, if it reports a started tunnel. */
export function findNgrokUrl(line: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // A truncated or non-JSON line (ngrok banner text): not the announcement.
    return undefined;
  }
  const result = startedTunnelLine.safeParse(parsed);
  return result.success ? publicOrigin(result.data.url) : undefined;
}

/** Launch of `ngrok http HOST:PORT` with JSON logs on stdout. */
export function ngrokLaunch(config: TunnelConfig['ngrok'], target: TunnelTarget): TunnelLaunch {
  return {
    provider: 'ngrok',
    binary: config.binary ?? 'ngrok',
    args: ['http', connectHostPort(target), '--log', 'stdout', '--log-format', 'json'],
    env: config.auth_token === undefined ? {} : { NGROK_AUTHTOKEN: config.auth_token },
    findUrl: findNgrokUrl,
  };
}
