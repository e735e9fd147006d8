import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import {
  appendPairedTokenHash,
  configFileSignature,
  readPairedTokenEntries,
  setPairedTokenHashes,
} from '../config/persist.js';
import type { Authenticate } from '../auth/authenticate.js';
import { createAuthenticator } from '../auth/authenticate.js';
import { rejectTokenInQuery, verifyPairedToken } from '../auth/bearer.js';
import type { CredentialRevocations } from '../auth/credential-revocations.js';
import { createCredentialRevocations } from '../auth/credential-revocations.js';
import type { JwtService, JwtServiceOptions } from '../auth/jwt.js';
import { loadJwtSecret } from '../auth/jwt-secret.js';
import {
  createPairedTokenReloader,
  loadPairedTokens,
  PAIRED_TOKENS_RELOAD_INTERVAL_MS,
} from '../auth/paired-tokens-reload.js';
import type { PairingGuard } from '../auth/pairing.js';
import { createPairingGuard } from '../auth/pairing.js';
import type { RevocationList } from '../auth/revocations.js';
import {
  createRevocationList,
  declareRevocationNamespace,
  REVOCATION_REFRESH_INTERVAL_MS,
} from '../auth/revocations.js';
import { declareTokenRegistryNamespace } from '../auth/token-registry.js';
import type { Principal } from '../core/types.js';
import type { Scheduler } from '../runtime/types.js';
import type { StateStore } from '../state/types.js';

export interface AuthWiringOptions {
  config: Config;
  configPath: string;
  home: string;
  store: StateStore;
  scheduler: Scheduler;
  logger: Logger;
}

/** Pairing, paired tokens, JWTs and revocations, ready for the routes that need them. */
export interface AuthWiring {
  guard: PairingGuard;
  revocations: RevocationList;
  /** JWT revocations and paired-token removals together, for live WebSocket sessions. */
  credentials: CredentialRevocations;
  /** Header-level authenticator: paired token or JWT, with a required scope. */
  authenticator: Authenticate;
  /** Request-level authentication for a channel scope; tokens in the URL are refused. */
  authenticateRequest: (request: FastifyRequest, scope: string) => Promise<Principal>;
}

/** Builds authentication: the paired-token set (hashing plaintext entries), pairing guard and JWTs. */
export async function wireAuth(options: AuthWiringOptions): Promise<AuthWiring> {
  const { config, configPath, home, store, scheduler, logger } = options;
  const rewrite = (hashes: readonly string[]): Promise<void> =>
    setPairedTokenHashes(configPath, hashes);
  const { tokens, hashedPlaintext } = await loadPairedTokens(config.gateway.paired_tokens, rewrite);
  if (hashedPlaintext > 0) {
    logger.warn(
      { count: hashedPlaintext },
      'hashed plaintext entries of gateway.paired_tokens in the config file',
    );
  }
  const guard = createPairingGuard({
    requirePairing: config.gateway.require_pairing,
    tokens,
    persist: (hash) => appendPairedTokenHash(configPath, hash),
    state: store,
    maxKeys: config.gateway.rate_limit_max_keys,
    logger,
  });
  // `gatehouse tokens revoke` edits the file; the running gateway follows it within seconds.
  const reloader = createPairedTokenReloader({
    tokens,
    signature: () => configFileSignature(configPath),
    read: () => readPairedTokenEntries(configPath),
    rewrite,
    onError: (error) => logger.warn({ err: error }, 'could not reload gateway.paired_tokens'),
  });
  await reloader.check();
  scheduler.every('paired-tokens-reload', PAIRED_TOKENS_RELOAD_INTERVAL_MS, () =>
    reloader.check().then(() => undefined),
  );

  declareRevocationNamespace(store);
  declareTokenRegistryNamespace(store);
  const revocations = createRevocationList({ store });
  await revocations.refresh();
  scheduler.every('revocations', REVOCATION_REFRESH_INTERVAL_MS, () => revocations.refresh());

  const auth = config.gateway.auth;
  const jwt = lazyJwtService({
    secret: loadJwtSecret({ configured: auth.jwt_secret, home }),
    issuer: auth.jwt_issuer,
    audience: auth.jwt_audience,
    isRevoked: (jti) => revocations.isRevoked(jti),
  });
  const authenticator = createAuthenticator({
    pairedGuard: (token) => verifyPairedToken(token, tokens),
    jwt,
    requirePairing: config.gateway.require_pairing,
  });

  return {
    guard,
    revocations,
    credentials: createCredentialRevocations({ jwt: revocations, paired: tokens }),
    authenticator,
    authenticateRequest: async function authenticateRequest(request, scope) {
      rejectTokenInQuery(request.query);
      const header = request.headers.authorization;
      const principal = await authenticator(typeof header === 'string' ? header : undefined, scope);
      // One shared anonymous id would let every caller replay another's idempotency keys and
      // read another's X-Session-Id conversation; the client key keeps them apart.
      if (principal.kind !== 'anonymous') return principal;
      return { ...principal, id: `anonymous:${request.clientKey}` };
    },
  };
}

/**
 * The JWT service, with jose imported on the first token issued or presented: it is a large
 * share of start-up time and memory, and many gateways only ever see paired tokens. The secret is
 * still loaded (and checked) by the caller at start-up.
 */
function lazyJwtService(options: JwtServiceOptions): JwtService {
  let service: Promise<JwtService> | undefined;
  const load = (): Promise<JwtService> => {
    service ??= import('../auth/jwt.js').then(({ createJwtService }) => createJwtService(options));
    return service;
  };
  return {
    createToken: async (input) => (await load()).createToken(input),
    verify: async (token) => (await load()).verify(token),
  };
}
