import * as z from 'zod';
import {
  port,
  positiveInt,
  nonNegativeInt,
  secret,
  durationSecs,
  delaySecs,
  httpUrl,
  cidr,
  hostName,
} from './schema-values.js';

export const gatewayAuthSchema = z
  .object({
    jwt_secret: secret
      .optional()
      .describe(
        'HS256 secret for scoped JWTs, at least 32 bytes (env GATEHOUSE_JWT_SECRET). Generated into $GATEHOUSE_HOME/jwt.secret when unset',
      ),
    jwt_issuer: z.string().min(1).default('gatehouse').describe('`iss` claim issued and required'),
    jwt_audience: z
      .string()
      .min(1)
      .default('gatehouse')
      .describe('`aud` claim issued and required'),
  })
  .prefault({});

export const gatewaySchema = z
  .object({
    port: port.default(3000).describe('Listening port (0 = any free port)'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Bind address; loopback unless a tunnel is active or allow_public_bind = true'),
    require_pairing: z
      .boolean()
      .default(true)
      .describe('Require a paired bearer token (or JWT) on /webhook'),
    allow_public_bind: z
      .boolean()
      .default(false)
      .describe('Allow a non-loopback host without a tunnel (NOT recommended)'),
    paired_tokens: z
      .array(z.string().min(1))
      .default([])
      .describe('SHA-256 hashes of paired bearer tokens (managed by /pair and `gatehouse tokens`)'),
    trust_forwarded_headers: z
      .boolean()
      .default(false)
      .describe(
        'Shorthand for trusted_proxies = ["127.0.0.0/8", "::1/128"]: a proxy on this machine sets the client address',
      ),
    trusted_proxies: z
      .array(cidr)
      .default([])
      .describe(
        'CIDRs of reverse proxies whose X-Forwarded-For / Forwarded / X-Real-IP are believed (right-most untrusted hop)',
      ),
    public_url: httpUrl
      .optional()
      .describe(
        'Address users reach the gateway at (https://agent.example.com); its origin and host are allowed',
      ),
    allowed_hosts: z
      .array(hostName)
      .default([])
      .describe('Extra Host header names answered (421 HOST_NOT_ALLOWED for any other)'),
    max_connections: positiveInt
      .default(1024)
      .describe('Open sockets at most; further connections are closed at once'),
    max_connections_per_client: positiveInt
      .default(64)
      .describe(
        'Open sockets per peer address (trusted proxies exempt); further ones closed at once',
      ),
    max_requests_per_client: positiveInt
      .default(32)
      .describe('Requests per client address being received or handled at once (429 beyond)'),
    body_timeout_secs: durationSecs
      .default(10)
      .describe('Time to receive a whole request, body included (408, socket closed)'),
    pair_rate_limit_per_minute: nonNegativeInt
      .default(0)
      .describe('Requests per minute per client on /pair (0 = unlimited)'),
    webhook_rate_limit_per_minute: nonNegativeInt
      .default(0)
      .describe('Requests per minute per client on /webhook (0 = unlimited)'),
    rate_limit_max_keys: positiveInt
      .default(10000)
      .describe('Most client keys each rate limiter tracks (least recently used evicted)'),
    idempotency_ttl_secs: durationSecs
      .default(300)
      .describe('How long an X-Idempotency-Key is remembered'),
    idempotency_max_keys: positiveInt
      .default(10000)
      .describe('Most idempotency keys remembered (least recently used evicted)'),
    request_timeout_secs: durationSecs
      .default(30)
      .describe('Per-request timeout; aborts the agent call (408)'),
    max_body_bytes: positiveInt
      .default(65536)
      .describe('Largest accepted request body in bytes (413)'),
    shutdown_delay_secs: delaySecs
      .default(0)
      .describe(
        'On SIGINT/SIGTERM, how long /readyz answers 503 while requests are still served, before the drain begins (0: at once)',
      ),
    shutdown_timeout_secs: durationSecs
      .default(10)
      .describe(
        'On SIGINT/SIGTERM, how long in-flight requests may finish; the whole close gets twice this plus the shutdown delay and 5 s, then exits 1',
      ),
    instance_id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits, "_", ".", ":" or "-"')
      .optional()
      .describe(
        'Name of this instance in /health, logs, metrics and `sessions list` (default hostname-pid)',
      ),
    auth: gatewayAuthSchema,
  })
  .prefault({});

const tunnelBinary = z
  .string()
  .min(1)
  .optional()
  .describe('Executable to run (default: looked up on PATH)');

export const tunnelSchema = z
  .object({
    provider: z
      .enum(['none', 'cloudflare', 'tailscale', 'ngrok', 'custom'])
      .default('none')
      .describe(
        'Tunnel started and supervised by the gateway; anything but "none" permits a public bind',
      ),
    start_timeout_secs: durationSecs
      .default(30)
      .describe('How long to wait for the tunnel to report its public URL'),
    cloudflare: z
      .object({
        binary: tunnelBinary,
        token: secret
          .optional()
          .describe(
            'Named-tunnel token (env GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN); unset = quick tunnel',
          ),
        url: httpUrl.optional().describe('Public URL of the named tunnel (required with token)'),
      })
      .prefault({}),
    tailscale: z
      .object({
        binary: tunnelBinary,
        funnel: z
          .boolean()
          .default(true)
          .describe(
            'Run `tailscale funnel` (internet) when true, `tailscale serve` (tailnet) when false',
          ),
      })
      .prefault({}),
    ngrok: z
      .object({
        binary: tunnelBinary,
        auth_token: secret.optional().describe('ngrok auth token (env GATEHOUSE_NGROK_AUTH_TOKEN)'),
      })
      .prefault({}),
    custom: z
      .object({
        binary: tunnelBinary,
        command: z
          .string()
          .min(1)
          .optional()
          .describe('argv string run without a shell; {host} and {port} are replaced'),
        url_pattern: z
          .string()
          .min(1)
          .optional()
          .describe('Regex finding the public URL in the output (first group, or whole match)'),
      })
      .prefault({}),
  })
  .prefault({});
