import { maskUrlPasswords } from '../config/mask.js';
import type { DoctorFacts, Finding } from './types.js';

/*
 * The live process: what `gateway.json` says runs, whether it answers /health on loopback, and
 * whether the address users reach it at (public URL or tunnel) answers /health from here too.
 */

/** Findings about the running gateway (or that none runs, so live checks were skipped). */
export function checkLiveGateway(_config: unknown, facts: DoctorFacts): Finding[] {
  const { gateway } = facts;
  if (gateway.state === 'not-running') {
    return [
      {
        id: 'gateway-not-running',
        severity: 'info',
        message: `no running gateway found (${gateway.runtimeFile} is missing): live checks skipped`,
        fix: 'start the gateway with `gatehouse start` (same --config) and run doctor again to check it live',
      },
    ];
  }
  if (gateway.state === 'stale') {
    return [
      {
        id: 'gateway-runtime-file-stale',
        severity: 'info',
        message: `${gateway.runtimeFile} names pid ${gateway.pid}, which is not running (the gateway did not shut down cleanly): live checks skipped`,
        fix: 'start the gateway with `gatehouse start`; it rewrites the file',
      },
    ];
  }
  const findings: Finding[] = [];
  const { health } = gateway;
  if (!health.ok) {
    findings.push({
      id: 'gateway-health-failed',
      severity: 'warning',
      message: `the gateway (pid ${gateway.pid}) at ${gateway.url} did not answer /health: ${health.reason}`,
      fix: 'check the gateway log; restart it if it hangs',
    });
  } else if (health.status !== 'ok') {
    findings.push({
      id: 'gateway-degraded',
      severity: 'warning',
      message: `the gateway at ${gateway.url} reports status "${health.status}" on /health`,
      fix: `see which component is not ok: curl ${gateway.url}/health`,
    });
  }
  const publicUrl = gateway.publicUrl;
  if (publicUrl !== undefined && !publicUrl.health.ok) {
    const shown = maskUrlPasswords(publicUrl.url);
    findings.push({
      id: 'public-url-unreachable',
      severity: 'warning',
      ...(publicUrl.key === undefined ? {} : { key: publicUrl.key }),
      message: `the public URL ${shown} did not answer /health from this machine: ${publicUrl.health.reason}`,
      fix: 'check that the reverse proxy or tunnel runs and forwards to the gateway, and that DNS points at it',
    });
  }
  return findings;
}
