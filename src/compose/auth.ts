import { createDeviceBook, declareDevicesNamespace, touchingDevices } from '../auth/devices.js';
import type { DeviceBook } from '../auth/devices.js';
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
  JWT_REVOKED_CHANNEL,
  REVOCATION_REFRESH_INTERVAL_MS,
} from '../auth/revocations.js';
import { declareTokenRegistryNamespace } from '../auth/token-registry.js';
import type { Principal } from '../core/types.js';
import type { Scheduler } from '../runtime/types.js';
import type { StateEvents } from '../state/state-events.js';
import type { StateStore } from '../state/types.js';
import { GatewayError } from '../errors.js';
import { createSharedCodeSlot } from '../auth/pairing-code-slot.js';
import type { PairedTokenStore } from '../auth/paired-tokens.js';
import {
  addSharedToken,
  declareSharedTokenNamespaces,
  importSharedTokens,
  refreshSharedTokens,
  SHARED_TOKENS_REFRESH_MS,
  sharedPairedTokenCheck,
  TOKEN_REMOVED_CHANNEL,
} from '../auth/shared-paired-tokens.js';

export interface AuthWiringOptions {
  config: Config;
  configPath: string;
  home: string;
  store: StateStore;
  /**
   * Set when the state is shared by several instances (`[state] backend = "redis"`): paired
   * tokens and the pairing code then live in the store, and revocations arrive as events too.
   */
  shared?: { events: StateEvents } | undefined;
  scheduler: Scheduler;
  logger: Logger;
}

/** How often last-used times of paired devices are written. */
const DEVICES_FLUSH_INTERVAL_MS = 30_000;
/**
 * With shared state, a revocation list older than this is not trusted: JWTs are refused with
 * STATE_UNAVAILABLE rather than checked against a copy that may miss a revocation.
 */
const REVOCATIONS_STALE_MS = 3000;

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
  /** Paired-device names and last-used times (`tokens list`). */
  devices: DeviceBook;
  /** Re-reads `gateway.paired_tokens` from the file now (a reload) instead of at the next poll. */
  reloadPairedTokens: () => Promise<boolean>;
}

/** Builds authentication: the paired-token set (hashing plaintext entries), pairing guard and JWTs. */
export async function wireAuth(options: AuthWiringOptions): Promise<AuthWiring> {
  const { config, configPath, home, store, scheduler, logger, shared } = options;
  const rewrite = (hashes: readonly string[]): Promise<void> =>
    setPairedTokenHashes(configPath, hashes);
  const { tokens, hashedPlaintext } = await loadPairedTokens(config.gateway.paired_tokens, rewrite);
  if (hashedPlaintext > 0) {
    logger.warn(
      { count: hashedPlaintext },
      'hashed plaintext entries of gateway.paired_tokens in the config file',
    );
  }
  const paired =
    shared === undefined
      ? await fileBackedTokens(options, tokens, rewrite)
      : await sharedTokens(options, shared.events, tokens);
  const guard = createPairingGuard({
    requirePairing: config.gateway.require_pairing,
    tokens,
    persist: paired.persist,
    state: store,
    maxKeys: config.gateway.rate_limit_max_keys,
    logger,
    ...(shared === undefined ? {} : { codeSlot: () => createSharedCodeSlot(store) }),
  });
  await guard.ensureCode();

  declareRevocationNamespace(store);
  declareTokenRegistryNamespace(store);
  const revocations = createRevocationList({ store });
  let revocationsFreshAt = Date.now();
  const refreshRevocations = (): Promise<void> =>
    revocations.refresh().then(() => {
      revocationsFreshAt = Date.now();
    });
  await refreshRevocations();
  scheduler.every('revocations', REVOCATION_REFRESH_INTERVAL_MS, refreshRevocations);
  if (shared !== undefined) {
    await shared.events.subscribe(JWT_REVOKED_CHANNEL, () => {
      refreshRevocations().catch((error: unknown) =>
        logger.warn({ err: error }, 'could not reload revocations'),
      );
    });
  }
  const isRevoked = (jti: string): boolean => {
    if (shared !== undefined && Date.now() - revocationsFreshAt > REVOCATIONS_STALE_MS) {
      throw new GatewayError('STATE_UNAVAILABLE');
    }
    return revocations.isRevoked(jti);
  };

  const auth = config.gateway.auth;
  const jwt = lazyJwtService({
    secret: loadJwtSecret({ configured: auth.jwt_secret, home }),
    issuer: auth.jwt_issuer,
    audience: auth.jwt_audience,
    isRevoked,
  });
  declareDevicesNamespace(store);
  const devices = createDeviceBook(store);
  scheduler.every('devices-last-used', DEVICES_FLUSH_INTERVAL_MS, () => devices.flush());
  const authenticator = touchingDevices(
    createAuthenticator({
      pairedGuard: paired.check,
      jwt,
      requirePairing: config.gateway.require_pairing,
    }),
    devices,
  );

  return {
    guard,
    revocations,
    reloadPairedTokens: () => paired.reload(),
    credentials: createCredentialRevocations({ jwt: revocations, paired: tokens }),
    authenticator,
    devices,
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

/** Where paired tokens are saved and how a presented one is checked. */
interface PairedTokenBackend {
  persist: (hash: string) => Promise<void>;
  check: (token: string) => Principal | Promise<Principal>;
  /** Re-reads the tokens now (a reload) instead of at the next poll; true when they changed. */
  reload: () => Promise<boolean>;
}

/** One instance: hashes in the config file, which the gateway polls for `tokens revoke`. */
async function fileBackedTokens(
  options: AuthWiringOptions,
  tokens: PairedTokenStore,
  rewrite: (hashes: readonly string[]) => Promise<void>,
): Promise<PairedTokenBackend> {
  const { configPath, scheduler, logger } = options;
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
  return {
    persist: (hash) => appendPairedTokenHash(configPath, hash),
    check: (token) => verifyPairedToken(token, tokens),
    reload: () => reloader.check(),
  };
}

/**
 * Several instances: hashes in the shared store (the config file's are imported once), checked
 * there on every request; the local mirror follows it for live-session revocation.
 */
async function sharedTokens(
  options: AuthWiringOptions,
  events: StateEvents,
  tokens: PairedTokenStore,
): Promise<PairedTokenBackend> {
  const { store, scheduler, logger } = options;
  declareSharedTokenNamespaces(store);
  const imported = await importSharedTokens(store, tokens.list());
  if (imported > 0) {
    logger.info({ count: imported }, 'imported paired tokens from the config file into Redis');
  }
  const refresh = (): Promise<void> => refreshSharedTokens(tokens, store);
  await refresh();
  scheduler.every('paired-tokens-refresh', SHARED_TOKENS_REFRESH_MS, refresh);
  await events.subscribe(TOKEN_REMOVED_CHANNEL, () => {
    refresh().catch((error: unknown) =>
      logger.warn({ err: error }, 'could not reload shared paired tokens'),
    );
  });
  return {
    persist: (hash) => addSharedToken(store, hash, 'pair'),
    check: sharedPairedTokenCheck(tokens, store),
    // The shared set is read on every request; refreshing the local mirror is all there is to do.
    reload: () => refresh().then(() => true),
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
