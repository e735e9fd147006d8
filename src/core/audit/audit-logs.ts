import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AuditLog } from './audit-log.js';
import { createFileAuditLog, createLoggerAuditLog } from './audit-log.js';

/**
 * The audit logs opened by this process, one per destination. A reload that changes the audit
 * destination opens a new log while turns already running keep writing to the one their pipeline
 * was built with, so the old file stays open (and rotatable) until shutdown.
 */
export interface AuditLogs {
  /** The log for `destination` ("log", or a file path relative to `home`), opened on first use. */
  forDestination(destination: string): AuditLog;
  /** Reopens every file log at its path (SIGHUP after logrotate moved the files). */
  reopen(): void;
  /** Flushes and closes every log (shutdown). */
  close(): Promise<void>;
}

export interface AuditLogsOptions {
  /** Relative file destinations are under this directory, like the other state files. */
  home: string;
  logger: Logger;
}

/** Creates the set; nothing is opened until a pipeline with an `audit` stage asks for its log. */
export function createAuditLogs(options: AuditLogsOptions): AuditLogs {
  const { home, logger } = options;
  const logs = new Map<string, AuditLog>();
  return {
    forDestination(destination) {
      const key = destination === 'log' ? 'log' : resolve(home, destination);
      let log = logs.get(key);
      if (log === undefined) {
        log = key === 'log' ? createLoggerAuditLog(logger) : createFileAuditLog(key, logger);
        logs.set(key, log);
      }
      return log;
    },
    reopen() {
      for (const log of logs.values()) log.reopen();
    },
    async close() {
      await Promise.all([...logs.values()].map((log) => log.close()));
      logs.clear();
    },
  };
}
