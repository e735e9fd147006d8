import type { Config } from '../config/schema.js';
import type { DoctorFacts, Finding } from './types.js';

/*
 * `gatehouse start` fails (exit 2) when the tunnel cannot start, so a public bind relying on a
 * tunnel is never left open without one; doctor says why before the operator tries.
 */

/** A tunnel whose executable is missing or whose settings cannot produce a public URL. */
export function checkTunnel(config: Config, facts: DoctorFacts): Finding[] {
  const { tunnel } = config;
  if (tunnel.provider === 'none') return [];
  const findings: Finding[] = [];
  const binary = facts.tunnelBinary;
  if (binary !== undefined && !binary.found) {
    findings.push({
      id: 'tunnel-binary-missing',
      severity: 'critical',
      key: binary.key,
      message: `tunnel.provider = "${tunnel.provider}" runs "${binary.name}", which is ${binary.name.includes('/') ? 'not an executable file' : 'not found on PATH'}: gatehouse start will fail`,
      fix: `install ${binary.name} or set ${binary.key === 'tunnel.custom.command' ? 'tunnel.custom.binary' : binary.key} to its full path`,
    });
  }
  if (tunnel.provider === 'custom') {
    for (const field of ['command', 'url_pattern'] as const) {
      if (tunnel.custom[field] !== undefined) continue;
      findings.push({
        id: 'tunnel-custom-incomplete',
        severity: 'critical',
        key: `tunnel.custom.${field}`,
        message: `tunnel.provider = "custom" needs tunnel.custom.${field}: gatehouse start will fail`,
        fix:
          field === 'command'
            ? 'set tunnel.custom.command, e.g. "tunnel --forward {host}:{port}"'
            : 'set tunnel.custom.url_pattern to a regex matching the public URL the command prints',
      });
    }
  }
  if (tunnel.provider === 'cloudflare' && tunnel.cloudflare.token !== undefined) {
    if (tunnel.cloudflare.url === undefined) {
      findings.push({
        id: 'tunnel-cloudflare-url-missing',
        severity: 'warning',
        key: 'tunnel.cloudflare.url',
        message:
          'a named Cloudflare tunnel (tunnel.cloudflare.token) prints no public URL, and tunnel.cloudflare.url is unset: the gateway cannot know the address it is reached at',
        fix: "set tunnel.cloudflare.url to the tunnel's public hostname, e.g. https://agent.example.com",
      });
    }
  }
  return findings;
}
