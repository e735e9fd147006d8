import { hostname } from 'node:os';

/**
 * The instance's name in /health, logs, metrics and `sessions list`: the configured
 * `gateway.instance_id`, else hostname-pid (unique on one machine, readable across several).
 */
export function resolveInstanceId(
  configured: string | undefined,
  host: string = hostname(),
  pid: number = process.pid,
): string {
  if (configured !== undefined) return configured;
  const safeHost = host.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 48) || 'host';
  return `${safeHost}-${pid}`;
}
