import type { PairedTokenStore } from './paired-tokens.js';
import { PAIRED_CREDENTIAL_PREFIX, pairedCredentialId } from './paired-tokens.js';
import type { RevocationList } from './revocations.js';

/** Revocation of any credential by its handle (`Principal.jti`): a JWT id or `paired:<hash>`. */
export type CredentialRevocations = Pick<RevocationList, 'isRevoked' | 'onRevoked'>;

export interface CredentialRevocationsOptions {
  /** Revoked JWT ids. */
  jwt: CredentialRevocations;
  /** The live paired-token set; a hash no longer in it is a revoked paired token. */
  paired: Pick<PairedTokenStore, 'verifyHash' | 'onRemoved'>;
}

/**
 * One revocation view over both credential kinds, so whoever holds a long-lived session checks a
 * principal the same way whether it came from a JWT or a paired token.
 */
export function createCredentialRevocations(
  options: CredentialRevocationsOptions,
): CredentialRevocations {
  return {
    isRevoked(handle) {
      // A JWT can only carry this prefix if it was minted with the secret; it then fails closed
      // (no such paired hash), never open.
      if (handle.startsWith(PAIRED_CREDENTIAL_PREFIX)) {
        return !options.paired.verifyHash(handle.slice(PAIRED_CREDENTIAL_PREFIX.length));
      }
      return options.jwt.isRevoked(handle);
    },
    onRevoked(listener) {
      const offJwt = options.jwt.onRevoked(listener);
      const offPaired = options.paired.onRemoved((hash) => listener(pairedCredentialId(hash)));
      return () => {
        offJwt();
        offPaired();
      };
    },
  };
}
