import type { Config } from '../config/schema.js';
import { maskUrlPasswords } from '../config/mask.js';
import { isLoopbackUrl } from './exposure.js';
import type { Finding } from './types.js';

/*
 * Pairing codes, bearer tokens and API keys cross these URLs. Plain http:// is fine on loopback
 * (nothing leaves the machine) and readable by anyone on the path everywhere else.
 */

function isPlainRemote(url: string): boolean {
  return new URL(url).protocol === 'http:' && !isLoopbackUrl(url);
}

/** public_url, web chat origins and provider base URLs that use http:// off loopback. */
export function checkPlainHttp(config: Config): Finding[] {
  const findings: Finding[] = [];
  const publicUrl = config.gateway.public_url;
  if (publicUrl !== undefined && isPlainRemote(publicUrl)) {
    findings.push({
      id: 'public-url-plain-http',
      severity: 'warning',
      key: 'gateway.public_url',
      message: `gateway.public_url ${maskUrlPasswords(publicUrl)} uses http:// on a non-loopback host: pairing codes and bearer tokens travel unencrypted`,
      fix: 'terminate TLS in a reverse proxy or tunnel and set gateway.public_url to its https:// address',
    });
  }
  for (const origin of config.channels_config.web.allowed_origins) {
    if (!isPlainRemote(origin)) continue;
    findings.push({
      id: 'allowed-origin-plain-http',
      severity: 'warning',
      key: 'channels_config.web.allowed_origins',
      message: `allowed origin ${maskUrlPasswords(origin)} uses http:// on a non-loopback host: the web chat's token and messages travel unencrypted`,
      fix: 'serve that page over https:// and list its https:// origin instead',
    });
  }
  for (const [name, provider] of Object.entries(config.providers)) {
    if (provider.base_url === undefined || !isPlainRemote(provider.base_url)) continue;
    findings.push({
      id: 'provider-plain-http',
      severity: 'warning',
      key: `providers.${name}.base_url`,
      message: `providers.${name}.base_url uses http:// on a non-loopback host: the API key and every conversation travel unencrypted`,
      fix: `use the provider's https:// address in providers.${name}.base_url`,
    });
  }
  return findings;
}
