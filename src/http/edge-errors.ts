import { GatewayError } from '../errors.js';

/*
 * Refusals at the public edge name the value refused and the config key that would allow it, so
 * an operator who just put the gateway behind a proxy or a new hostname can fix it from the
 * message alone. The values are client-controlled: quoted as JSON and cut short.
 */

/** Longest client-supplied value echoed back in a refusal. */
const SHOWN_MAX = 100;

function quote(value: string): string {
  return JSON.stringify(value.slice(0, SHOWN_MAX));
}

/** 421 for a Host the gateway does not answer to. */
export function hostNotAllowed(host: string | undefined): GatewayError {
  const shown = host === undefined ? 'A request without Host' : `Host ${quote(host)}`;
  return new GatewayError('HOST_NOT_ALLOWED', {
    message: `${shown} is not served here; add the name to gateway.allowed_hosts, or set gateway.public_url to the address clients use`,
  });
}

/** 403 for a browser Origin that is not allowed. */
export function originForbidden(origin: string): GatewayError {
  return new GatewayError('ORIGIN_FORBIDDEN', {
    message: `Origin ${quote(origin)} is not allowed; set gateway.public_url if it is the address users open the gateway at, or add it to channels_config.web.allowed_origins`,
  });
}
