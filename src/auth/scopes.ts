import type { Principal } from '../core/types.js';

/** Scope that lets a credential call POST /webhook. */
export const SCOPE_API = 'channels:api';
/** Scope that lets a credential open the WebSocket. */
export const SCOPE_WEB = 'channels:web';
/** Scope that lets a credential call the OpenAI-compatible API under /v1. */
export const SCOPE_OPENAI = 'channels:openai';
/** Every channel scope; paired tokens carry all of them. */
export const CHANNEL_SCOPES: readonly string[] = [SCOPE_API, SCOPE_WEB, SCOPE_OPENAI];

// A narrow charset keeps scopes printable, unambiguous in a space-separated claim (RFC 8693 §4.2)
// and free of characters that could smuggle a second scope through a delimiter.
const SCOPE_PATTERN = /^[a-z][a-z0-9_-]*(?::[a-z0-9_-]+)*$/;
const MAX_SCOPE_LENGTH = 64;
const MAX_SCOPES = 32;

/** Thrown by `parseScopes` for a malformed list; the message names the offending entry. */
export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

/**
 * Parses a comma- or space-separated scope list ("channels:web, channels:api" or "a b").
 * @example parseScopes('channels:web,channels:api') // Set { 'channels:web', 'channels:api' }
 */
export function parseScopes(input: string): ReadonlySet<string> {
  const parts = input.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length > MAX_SCOPES) throw new ScopeError(`at most ${MAX_SCOPES} scopes are allowed`);
  const scopes = new Set<string>();
  for (const part of parts) {
    if (part.length > MAX_SCOPE_LENGTH || !SCOPE_PATTERN.test(part)) {
      throw new ScopeError(
        `invalid scope "${part.slice(0, MAX_SCOPE_LENGTH)}": use lowercase words joined by ":" (e.g. channels:web)`,
      );
    }
    scopes.add(part);
  }
  return scopes;
}

/** The space-separated form used in the JWT `scope` claim. */
export function formatScopes(scopes: Iterable<string>): string {
  return [...scopes].join(' ');
}

/** True when the principal was granted `scope` at authentication time. */
export function hasScope(principal: Pick<Principal, 'scopes'>, scope: string): boolean {
  return principal.scopes.has(scope);
}
