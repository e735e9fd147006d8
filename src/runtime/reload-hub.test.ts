import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { configSchema, type Config } from '../config/schema.js';
import { createReloadHub } from './reload-hub.js';

function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (_object: object, message: string) => {
    lines.push(`${level}: ${message}`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

describe('createReloadHub', () => {
  it('applies hot keys, runs hooks, names restart-only keys and keeps their running values', async () => {
    const config = configSchema.parse({});
    const next: Config = configSchema.parse({
      observability: { log_level: 'debug' },
      gateway: { port: 9999 },
    });
    const logger = recordingLogger();
    const hub = createReloadHub({ config, load: () => next, logger });
    const seen: string[] = [];
    hub.onReload('level', (current) => {
      seen.push(current.observability.log_level);
    });
    hub.onReload('broken', () => {
      throw new Error('reopen failed');
    });
    expect(await hub.reload()).toEqual({
      ok: true,
      changed: ['gateway.port', 'observability.log_level'],
      applied: ['observability.log_level'],
      restartRequired: ['gateway.port'],
    });
    expect(seen).toEqual(['debug']);
    expect(config.gateway.port).toBe(3000);
    expect(logger.lines).toContain('error: reload hook failed');
    expect(logger.lines).toContain(
      'warn: config reload: gateway.port need a restart and keep their running values',
    );
  });

  it('keeps the running config when the file is invalid and reports the error', async () => {
    const config = configSchema.parse({});
    const logger = recordingLogger();
    const hub = createReloadHub({
      config,
      load: () => {
        throw new ConfigError('config error: gateway.port = "x" — expected an integer 0–65535');
      },
      logger,
    });
    let ran = false;
    hub.onReload('hook', () => {
      ran = true;
    });
    expect(await hub.reload()).toEqual({
      ok: false,
      error: 'config error: gateway.port = "x" — expected an integer 0–65535',
    });
    expect(ran).toBe(false);
    expect(config).toEqual(configSchema.parse({}));
  });

  it('rolls the hot keys back and reports the failure when a critical hook cannot follow', async () => {
    const config = configSchema.parse({});
    const allowedHosts = config.gateway.allowed_hosts;
    const next = configSchema.parse({
      observability: { log_level: 'debug' },
      gateway: { allowed_hosts: ['gatehouse.example.com'] },
    });
    const logger = recordingLogger();
    const hub = createReloadHub({ config, load: () => next, logger });
    const built: string[][] = [];
    hub.onReload(
      'message-path',
      (current) => {
        if (current.observability.log_level === 'debug') throw new Error('no such provider');
      },
      { critical: true },
    );
    hub.onReload('hosts', (current) => {
      built.push([...current.gateway.allowed_hosts]);
    });
    expect(await hub.reload()).toEqual({
      ok: false,
      error: 'message-path could not apply the new config: no such provider',
    });
    // Every hook ran on the new values, then again on the running ones.
    expect(built).toEqual([['gatehouse.example.com'], []]);
    expect(config).toEqual(configSchema.parse({}));
    // Components keep their references: the array was refilled, not replaced.
    expect(config.gateway.allowed_hosts).toBe(allowedHosts);
    expect(logger.lines).toContain(
      'error: config reload rolled back: message-path could not apply the new config: no such provider',
    );
  });

  it('runs one reload at a time', async () => {
    const config = configSchema.parse({});
    const order: string[] = [];
    const hub = createReloadHub({ config, load: () => config, logger: recordingLogger() });
    hub.onReload('slow', async () => {
      order.push('start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('end');
    });
    await Promise.all([hub.reload(), hub.reload()]);
    expect(order).toEqual(['start', 'end', 'start', 'end']);
  });
});
