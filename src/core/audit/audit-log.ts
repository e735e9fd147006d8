import { chmodSync, closeSync, createWriteStream, mkdirSync, openSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** Where audit records go: one JSON line each. */
export interface AuditLog {
  write(record: Record<string, unknown>): void;
  /** Opens the file again (after logrotate moved it): new lines go to a new file. */
  reopen(): void;
  /** Flushes and closes (shutdown). */
  close(): Promise<void>;
}

/** Audit records into the application log (`destination = "log"`). */
export function createLoggerAuditLog(logger: Logger): AuditLog {
  const audit = logger.child({ component: 'audit' });
  return {
    write: (record) => audit.info({ audit: record }, 'audit'),
    reopen: () => undefined,
    close: () => Promise.resolve(),
  };
}

/**
 * Audit records appended to a file, mode 0600 in a directory created 0700 (records name people and
 * conversations). Writes go to a stream and never wait for the disk; each record is one `write`
 * of one whole line on one stream, in call order, so lines are never interleaved or torn by this
 * process. `reopen` (SIGHUP after rotation) swaps in a new stream; the old one flushes what it
 * already holds into the old file, then closes.
 */
export function createFileAuditLog(path: string, logger: Logger): AuditLog {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let stream = open(path, logger);
  return {
    write(record) {
      stream.write(`${JSON.stringify(record)}\n`);
    },
    reopen() {
      const previous = stream;
      stream = open(path, logger);
      previous.end();
    },
    close() {
      return new Promise((resolve) => stream.end(resolve));
    },
  };
}

function open(path: string, logger: Logger): WriteStream {
  // Created here with 0600, and narrowed if it already existed wider (a copied or rotated file).
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', (error) => logger.error({ err: error }, 'audit log write failed'));
  return stream;
}
