import { request } from 'node:http';
import type { TempHome } from './gatehouse-process.js';
import { makeTempHome } from './gatehouse-process.js';
import { startLiveGateway, type LiveGateway } from './live-gateway.js';

/*
 * Several built gateways sharing one Redis (and optionally PostgreSQL), each with its own home
 * and config file, as an operator deploys them behind a load balancer.
 */

/** A JWT secret every instance shares (tokens issued by one verify on all). */
export const CLUSTER_JWT_SECRET = 'cluster-test-jwt-secret-of-at-least-32-bytes';

export interface ClusterOptions {
  size: number;
  redisUrl: string;
  keyPrefix: string;
  /** PostgreSQL memory URL; memory is "none" without it. */
  postgresUrl?: string;
  /** OpenAI-compatible fake; the echo provider answers without it. */
  llmBaseUrl?: string;
  /** Extra `[gateway]` lines. */
  gateway?: string[];
  /** Further sections, appended as they are (e.g. `[inbox]`, `[channels_config.whatsapp]`). */
  sections?: string[];
}

/** The config of instance `index` (1-based). */
export function clusterConfig(options: ClusterOptions, index: number): string {
  const lines: string[] = [];
  if (options.llmBaseUrl !== undefined) {
    lines.push('default_provider = "openai"', 'default_model = "gpt-test"', '');
    lines.push('[providers.openai]', `base_url = "${options.llmBaseUrl}"`, 'api_key = "sk-test"');
  }
  lines.push('[gateway]', 'host = "127.0.0.1"', 'port = 0', `instance_id = "gw-${index}"`);
  lines.push(...(options.gateway ?? []));
  lines.push('[observability]', 'log_level = "warn"');
  lines.push(
    '[state]',
    'backend = "redis"',
    `url = "${options.redisUrl}"`,
    `key_prefix = "${options.keyPrefix}"`,
  );
  if (options.postgresUrl === undefined) lines.push('[memory]', 'backend = "none"');
  else lines.push('[memory]', 'backend = "postgres"', `url = "${options.postgresUrl}"`);
  lines.push(...(options.sections ?? []));
  return `${lines.join('\n')}\n`;
}

/** Running instances and their homes. */
export interface Cluster {
  gateways: LiveGateway[];
  homes: TempHome[];
  cleanup(): void;
}

/** Starts `size` instances one after the other (so the start-up code is decided once). */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const homes: TempHome[] = [];
  const gateways: LiveGateway[] = [];
  for (let i = 1; i <= options.size; i += 1) {
    const home = makeTempHome(clusterConfig(options, i));
    homes.push(home);
    gateways.push(await startLiveGateway(home, { GATEHOUSE_JWT_SECRET: CLUSTER_JWT_SECRET }));
  }
  return { gateways, homes, cleanup: () => homes.forEach((home) => home.cleanup()) };
}

/** A response read to the end. */
export interface PlainResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One HTTP request on a fresh connection (no keep-alive), so each request through a round-robin
 * balancer reaches the next instance.
 */
export function sendOnNewConnection(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        headers: {
          connection: 'close',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // Not JSON (never expected here); the status still tells the story.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
