import type { Config } from '../config/schema.js';
import { applyInPlace, planReload } from '../config/reload-plan.js';

/** What a reload did. */
export type ReloadResult =
  | { ok: true; changed: string[]; applied: string[]; restartRequired: string[] }
  | { ok: false; error: string };

/** Something to do after hot keys changed (reopen a file, rebuild a limiter, set a level). */
export type ReloadHook = (config: Config) => void | Promise<void>;

/** Re-reads the config and applies what can change while running; features register hooks. */
export interface ReloadHub {
  /**
   * Runs `hook` after every successful reload (also when no key changed: files are reopened). A
   * failing hook is logged and the others still run; a `critical` hook (one that builds what the
   * new keys describe, such as the message path) failing rolls the reload back instead: the hot
   * keys get their running values again, every hook runs again on them, and the reload reports
   * the failure.
   */
  onReload(name: string, hook: ReloadHook, options?: { critical?: boolean }): void;
  /** One reload at a time; a second call waits for the first. Never throws. */
  reload(): Promise<ReloadResult>;
}

export interface ReloadHubOptions {
  /** The running config; hot keys are written into it in place. */
  config: Config;
  /** Reads and validates the file again; throws (ConfigError) when it is invalid. */
  load: () => Config;
  logger: {
    info(object: object, message: string): void;
    warn(object: object, message: string): void;
    error(object: object, message: string): void;
  };
}

/** Creates the hub; `reload` is what SIGHUP and `POST /admin/reload` call. */
export function createReloadHub(options: ReloadHubOptions): ReloadHub {
  const { config, logger } = options;
  const hooks: Array<{ name: string; hook: ReloadHook; critical: boolean }> = [];

  /** Runs every hook; the first critical one that failed, if any. */
  async function runHooks(): Promise<{ name: string; message: string } | undefined> {
    let failed: { name: string; message: string } | undefined;
    for (const { name, hook, critical } of hooks) {
      try {
        await hook(config);
      } catch (error) {
        // One feature failing to follow must not stop the others from doing so.
        logger.error({ err: error, hook: name }, 'reload hook failed');
        if (critical && failed === undefined) {
          failed = { name, message: error instanceof Error ? error.message : String(error) };
        }
      }
    }
    return failed;
  }
  let queue: Promise<unknown> = Promise.resolve();

  async function reloadOnce(): Promise<ReloadResult> {
    let next: Config;
    try {
      next = options.load();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ error: message }, 'config reload refused; the running config is unchanged');
      return { ok: false, error: message };
    }
    const plan = planReload(config, next);
    const previous = structuredClone(config);
    for (const key of plan.hot) applyInPlace(config, next, key);
    const failed = await runHooks();
    if (failed !== undefined) {
      for (const key of plan.hot) applyInPlace(config, previous, key);
      await runHooks();
      const error = `${failed.name} could not apply the new config: ${failed.message}`;
      logger.error({ hook: failed.name }, `config reload rolled back: ${error}`);
      return { ok: false, error };
    }
    if (plan.restartOnly.length > 0) {
      logger.warn(
        { keys: plan.restartOnly },
        `config reload: ${plan.restartOnly.join(', ')} need a restart and keep their running values`,
      );
    }
    logger.info({ applied: plan.hot }, 'config reloaded');
    return {
      ok: true,
      changed: plan.changed,
      applied: plan.hot,
      restartRequired: plan.restartOnly,
    };
  }

  return {
    onReload(name, hook, hookOptions) {
      hooks.push({ name, hook, critical: hookOptions?.critical === true });
    },
    reload() {
      const run = queue.then(reloadOnce, reloadOnce);
      queue = run;
      return run;
    },
  };
}
