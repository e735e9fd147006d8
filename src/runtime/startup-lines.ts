import { nextStepsLines, type NextStepsOptions } from './next-steps.js';

/** What start-up prints on stdout once the gateway is ready. */
export interface StartupLinesOptions extends NextStepsOptions {
  /** The tunnel's URL, or the configured `public_url`. */
  publicUrl: string | undefined;
}

/**
 * The writes that end start-up, in order: `gatehouse listening on …` first (a plain line, not
 * JSON: scripts and the CLI tests wait for exactly it), the public URL, the pairing code (stdout
 * only: never logged, never in /health), then the next steps as one write.
 */
export function startupLines(options: StartupLinesOptions): string[] {
  const writes = [`gatehouse listening on ${options.url}\n`];
  if (options.publicUrl !== undefined) writes.push(`gatehouse public url: ${options.publicUrl}\n`);
  if (options.code !== undefined) writes.push(`gatehouse pairing code: ${options.code}\n`);
  writes.push(`${nextStepsLines(options).join('\n')}\n`);
  return writes;
}

/** `http://HOST:PORT` with the bound port; IPv6 hosts in brackets. */
export function listeningUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
