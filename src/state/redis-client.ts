import { createHash } from 'node:crypto';
import { createClient } from 'redis';

/** The node-redis client type the state code uses (default modules, RESP3). */
export type RedisClient = ReturnType<typeof newClient>;

/** Options of the gateway's Redis connection. */
export interface RedisConnectionOptions {
  url: string;
  /** Longest wait for one command; a slow Redis fails the request instead of holding it. */
  commandTimeoutMs?: number;
  /** Called on every change of reachability (for `/health` and the logs). */
  onStatus?: (status: 'ok' | 'down', error?: unknown) => void;
}

/** Reconnect delay: doubles from 50 ms up to 2 s, with jitter so instances do not stampede. */
export function reconnectDelayMs(retries: number, random: () => number = Math.random): number {
  const base = Math.min(50 * 2 ** Math.min(retries, 10), 2000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Creates a client that reconnects with backoff forever and rejects commands while disconnected
 * (no offline queue): shared-state checks fail closed at once instead of piling up until Redis
 * returns. Not connected yet; call `connectRedis`.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const client = newClient(options);
  let up = false;
  client.on('ready', () => {
    up = true;
    options.onStatus?.('ok');
  });
  // Without an 'error' listener node-redis would crash the process on a dropped connection.
  client.on('error', (error: unknown) => {
    if (!up) return;
    up = false;
    options.onStatus?.('down', error);
  });
  client.on('end', () => {
    up = false;
  });
  return client;
}

function newClient(options: RedisConnectionOptions) {
  return createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2000 },
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) => reconnectDelayMs(retries),
    },
  });
}

/**
 * Connects, waiting at most `timeoutMs` for the first connection. On timeout the client keeps
 * reconnecting in the background and the caller decides whether to start degraded.
 */
export async function connectRedis(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.isReady) return true;
  // connect() keeps retrying under the reconnect strategy; it only rejects once destroyed.
  const connecting = client.isOpen
    ? Promise.resolve(false)
    : client.connect().then(
        () => true,
        () => false,
      );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Lua script run by its SHA-1, sent in full only when the server does not know it yet. */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.#sha, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, { keys, arguments: args });
    }
  }
}

/** Escapes glob characters so a key prefix can be used in a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
