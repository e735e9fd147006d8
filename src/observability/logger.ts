import { pino } from 'pino';
import type { DestinationStream, Level, Logger, LoggerOptions } from 'pino';
import { REDACTED, redactSecrets } from './redact.js';

/** Options for createLogger. */
export interface LoggerFactoryOptions {
  level: Level | 'silent';
  /** Where lines go (tests capture here, `createPrettyDestination` on a TTY); defaults to stdout. */
  destination?: DestinationStream;
}

/** Header names whose values are credentials (Node lowercases incoming header names). */
const SECRET_HEADERS = [
  'authorization',
  'x-pairing-code',
  'x-webhook-secret',
  'x-hub-signature-256',
  'x-slack-signature',
  'x-telegram-bot-api-secret-token',
  'x-api-key',
  'x-admin-secret',
  'cookie',
  'set-cookie',
];

/** Field names whose values are credentials, wherever they sit in a logged object. */
const SECRET_FIELDS = [
  'token',
  'api_key',
  'apiKey',
  'secret',
  'password',
  'access_token',
  'accessToken',
  'bot_token',
  'botToken',
  'app_secret',
  'appSecret',
  'jwt_secret',
  'signing_secret',
  'secret_token',
  'verify_token',
  'paired_tokens',
  'pairing_code',
  'authorization',
  'Authorization',
];

/** pino has no recursive wildcard, so nested positions are listed out to a fixed depth. */
const FIELD_DEPTH_PREFIXES = ['', '*.', '*.*.', '*.*.*.'];
const HEADER_PREFIXES = ['headers', '*.headers', '*.*.headers'];

function buildRedactPaths(): string[] {
  const paths: string[] = [];
  for (const prefix of HEADER_PREFIXES) {
    for (const name of SECRET_HEADERS) {
      paths.push(`${prefix}["${name}"]`);
      const capitalized = name.replace(
        /(^|-)([a-z])/g,
        (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`,
      );
      if (capitalized !== name) paths.push(`${prefix}["${capitalized}"]`);
    }
  }
  for (const prefix of FIELD_DEPTH_PREFIXES) {
    for (const field of SECRET_FIELDS) paths.push(`${prefix}${field}`);
  }
  return paths;
}

/** pino redact paths for secret headers and fields (exported for tests and documentation). */
export const REDACT_PATHS: readonly string[] = buildRedactPaths();

const MAX_CAUSE_DEPTH = 5;

/**
 * Error serializer that keeps only what helps debugging: type, code, status, scrubbed message and
 * stack, and the scrubbed cause chain. Arbitrary enumerable properties are dropped on purpose:
 * HTTP client errors carry request configs with Authorization headers and API keys.
 */
export function serializeError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) {
    return typeof value === 'string' ? redactSecrets(value) : value;
  }
  const out: Record<string, unknown> = {
    type: value.name,
    message: redactSecrets(value.message),
  };
  const { code, status, statusCode } = value as Error & Record<string, unknown>;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof status === 'number') out.status = status;
  if (typeof statusCode === 'number') out.statusCode = statusCode;
  if (value.stack !== undefined) out.stack = redactSecrets(value.stack);
  if (value.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    out.cause = serializeError(value.cause, depth + 1);
  }
  if (value instanceof AggregateError && depth < MAX_CAUSE_DEPTH) {
    out.errors = value.errors.slice(0, 10).map((inner) => serializeError(inner, depth + 1));
  }
  return out;
}

const serializeTopLevelError = (value: unknown): unknown => serializeError(value);

/** Builds the process logger: JSON lines (stdout by default) with secrets redacted. */
export function createLogger(options: LoggerFactoryOptions): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: serializeTopLevelError, error: serializeTopLevelError },
    hooks: {
      // Messages are free text and may quote an upstream error; scrub them like error messages.
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        // pino copies an error's raw message into `msg` when no message is given.
        if (first instanceof Error && typeof second !== 'string') {
          method.call(this, first, redactSecrets(first.message));
          return;
        }
        for (let i = 0; i < args.length; i++) {
          const arg: unknown = args[i];
          if (typeof arg === 'string') args[i] = redactSecrets(arg);
        }
        method.apply(this, args);
      },
    },
  };
  if (options.destination !== undefined) return pino(loggerOptions, options.destination);
  return pino(loggerOptions);
}

/** Human-readable, coloured log output for an operator watching a terminal. */
export async function createPrettyDestination(): Promise<DestinationStream> {
  // Imported on demand: pino-pretty costs start-up time and memory, and a gateway whose stdout is
  // a pipe or a file (a service, a container) never uses it.
  const { build } = await import('pino-pretty');
  return build({ colorize: true, translateTime: 'SYS:standard' });
}
