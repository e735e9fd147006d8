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
  /** Runs `hook` after every successful reload (also when no key changed: files are reopened). */
  onReload(name: string, hook: ReloadHook): void;
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
  const hooks: Array<{ name: string; hook: ReloadHook }> = [];
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
    for (const key of plan.hot) applyInPlace(config, next, key);
    for (const { name, hook } of hooks) {
      try {
        await hook(config);
      } catch (error) {
        // One feature failing to follow must not stop the others from doing so.
        logger.error({ err: error, hook: name }, 'reload hook failed');
      }
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
    onReload(name, hook) {
      hooks.push({ name, hook });
    },
    reload() {
      const run = queue.then(reloadOnce, reloadOnce);
      queue = run;
      return run;
    },
  };
}
