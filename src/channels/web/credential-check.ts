import type { Principal } from '../../core/types.js';

/** Why a principal's credential stopped authorizing anything. */
export type CredentialEnd = 'revoked' | 'expired';

/**
 * Whether the credential a session or ticket was opened with is still valid: not revoked (a JWT's
 * jti, or a paired token removed from the config, both by `principal.jti`) and not past its
 * expiry. A live session outlives the check made at the upgrade, so it asks again.
 */
export function credentialEnded(
  principal: Pick<Principal, 'jti' | 'expiresAt'>,
  isRevoked: (jti: string) => boolean,
  now: number,
): CredentialEnd | undefined {
  if (principal.jti !== undefined && isRevoked(principal.jti)) return 'revoked';
  if (principal.expiresAt !== undefined && principal.expiresAt <= now) return 'expired';
  return undefined;
}

/** The close reason sent with 4001 for each ending. */
export const CREDENTIAL_END_REASONS: Readonly<Record<CredentialEnd, string>> = {
  revoked: 'token revoked',
  expired: 'token expired',
};
