import * as z from 'zod';
import { isCidr } from '../http/cidr.js';

/* Value types the config sections are built from (bounded durations, URLs, networks, names). */

export const port = z.number().int().min(0).max(65535);
export const positiveInt = z.number().int().min(1);
export const nonNegativeInt = z.number().int().min(0);
export const secret = z.string().min(1);

/** Largest delay a Node timer honours (2^31 − 1 ms); longer delays fire after 1 ms instead. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The same bound in whole seconds. */
export const MAX_TIMER_SECS = Math.floor(MAX_TIMER_MS / 1000);
// Every duration key is bounded so a setTimeout built from it fires when it says it will.
export const durationSecs = positiveInt.max(MAX_TIMER_SECS);
/** A wait in seconds that may be left out: 0 means none. */
export const delaySecs = nonNegativeInt.max(MAX_TIMER_SECS);
export const durationMs = positiveInt.max(MAX_TIMER_MS);
export const httpUrl = z.url({ protocol: /^https?$/ });
/** An IPv4 or IPv6 network in CIDR notation; a bare address means a single host. */
export const cidr = z
  .string()
  .refine(isCidr, 'an IPv4 or IPv6 CIDR such as "10.0.0.0/8" or "::1/128"');
/** A host name or IP literal as it appears in a Host header, without scheme or port. */
export const hostName = z
  .string()
  .regex(
    /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/i,
    'a host name or IP literal without scheme or port, such as "agent.example.com"',
  );

export const lowercaseName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase name');
