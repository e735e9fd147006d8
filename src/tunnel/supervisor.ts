import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type * as ReadlineModule from 'node:readline';
import { childEnv } from './child-env.js';
import { isRunning, terminate } from './terminate-child.js';
import { DEFAULT_RESTART_BACKOFF, restartDelayMs } from './restart-backoff.js';
import type { RestartBackoff } from './restart-backoff.js';
import { TunnelStartError, spawnProblem } from './tunnel-error.js';
import type {
  Tunnel,
  TunnelHealth,
  TunnelLaunch,
  TunnelLogger,
  TunnelProviderName,
  TunnelStatus,
  TunnelTarget,
} from './types.js';

/** Options for superviseTunnel. */
export interface TunnelSupervisorOptions {
  provider: TunnelProviderName;
  /** Builds argv/env/URL matcher once the bound address is known. */
  launchFor(target: TunnelTarget): TunnelLaunch;
  /** How long a child may take to announce its URL (start-up and every restart). */
  startTimeoutMs: number;
  /** The gateway's environment; the child gets it without GATEHOUSE_* variables. */
  env: Readonly<Record<string, string | undefined>>;
  logger: TunnelLogger;
  health?: TunnelHealth;
  backoff?: RestartBackoff;
  /** Time between SIGTERM and SIGKILL on stop (default 5 s). */
  stopGraceMs?: number;
}

const COMPONENT = 'tunnel';
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** A Tunnel that runs `launchFor(target)` as a child process and restarts it when it exits. */
export function superviseTunnel(options: TunnelSupervisorOptions): Tunnel {
  return new TunnelSupervisor(options);
}

type Phase = 'idle' | 'starting' | 'running' | 'stopped';

/*
 * State: at most one child at a time. `#phase` is `idle` before start, `starting` until the
 * first URL, `running` afterwards (exits trigger restarts), `stopped` once stop() began.
 */
class TunnelSupervisor implements Tunnel {
  readonly provider: TunnelProviderName;
  #options: TunnelSupervisorOptions;
  #backoff: RestartBackoff;
  #phase: Phase = 'idle';
  #launch: TunnelLaunch | undefined;
  #child: ChildProcess | undefined;
  #url: string | undefined;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #createInterface: typeof ReadlineModule.createInterface | undefined;
  // An arrow function so the same reference can be removed from process listeners on stop.
  #killOnExit = (): void => {
    // Synchronous on purpose: 'exit' listeners cannot wait, and a surviving child would keep the
    // public tunnel pointing at a port some other process may bind next.
    if (this.#child !== undefined && isRunning(this.#child)) this.#child.kill('SIGKILL');
  };

  // Until start() settles, the gateway has no SIGINT/SIGTERM handlers yet, and a signal's default
  // action ends the process without an 'exit' event: kill the child first, then die of the signal.
  #killOnEarlySignal = (signal: NodeJS.Signals): void => {
    this.#killOnExit();
    this.#unguardSignals();
    process.kill(process.pid, signal);
  };

  constructor(options: TunnelSupervisorOptions) {
    this.provider = options.provider;
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_RESTART_BACKOFF;
  }

  url(): string | undefined {
    return this.#url;
  }

  status(): TunnelStatus {
    if (this.#phase === 'idle' || this.#phase === 'starting') return 'starting';
    if (this.#phase === 'stopped') return 'stopped';
    return this.#url === undefined ? 'degraded' : 'ok';
  }

  async start(target: TunnelTarget): Promise<string> {
    if (this.#phase !== 'idle') throw new Error('tunnel already started');
    // Loaded here, not when the gateway starts: most gateways run without a tunnel.
    this.#createInterface ??= (await import('node:readline')).createInterface;
    // stop() or another start() may have come while it loaded (the check above narrowed the type).
    const phase = this.#phase as Phase;
    if (phase === 'stopped') throw new Error('tunnel stopped before it started');
    if (phase !== 'idle') throw new Error('tunnel already started');
    this.#phase = 'starting';
    this.#launch = this.#options.launchFor(target);
    process.on('exit', this.#killOnExit);
    const guarded = SIGNALS.filter((signal) => process.listenerCount(signal) === 0);
    for (const signal of guarded) process.once(signal, this.#killOnEarlySignal);
    this.#options.health?.report(COMPONENT, 'starting');
    try {
      const url = await this.#runChild(this.#launch);
      this.#phase = 'running';
      this.#announced(url);
      return url;
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      this.#unguardSignals();
    }
  }

  #unguardSignals(): void {
    for (const signal of SIGNALS) process.off(signal, this.#killOnEarlySignal);
  }

  async stop(): Promise<void> {
    this.#phase = 'stopped';
    clearTimeout(this.#restartTimer);
    this.#url = undefined;
    const child = this.#child;
    if (child !== undefined) await terminate(child, this.#options.stopGraceMs ?? 5000);
    process.off('exit', this.#killOnExit);
  }

  /** Spawns one child and resolves with its URL; rejects on spawn failure, exit or timeout. */
  #runChild(launch: TunnelLaunch): Promise<string> {
    const createInterface = this.#createInterface;
    if (createInterface === undefined) return Promise.reject(new Error('tunnel not started'));
    const { provider, startTimeoutMs, logger } = this.#options;
    const child = spawn(launch.binary, launch.args, {
      env: childEnv(this.#options.env, launch.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const startedAt = Date.now();
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const fail = (problem: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new TunnelStartError(provider, launch.binary, problem));
      };
      const timer = setTimeout(() => {
        fail(`printed no public URL within ${startTimeoutMs / 1000} s (tunnel.start_timeout_secs)`);
        // Its exit, observed below, schedules the next attempt when the tunnel is running.
        void terminate(child, this.#options.stopGraceMs ?? 5000);
      }, startTimeoutMs);
      const onLine = (line: string): void => {
        logger.debug({ provider, line }, 'tunnel output');
        const url = settled ? undefined : launch.findUrl(line);
        if (url === undefined) return;
        settled = true;
        clearTimeout(timer);
        resolve(url);
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.once('error', (error) => {
        // Emitted without 'exit' when the executable cannot be spawned at all (ENOENT, EACCES).
        if (child.pid !== undefined) return;
        fail(spawnProblem(provider, error));
        this.#childGone(child, startedAt, `spawn failed: ${spawnProblem(provider, error)}`);
      });
      child.once('exit', (code, signal) => {
        const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
        fail(`${how} before printing a public URL`);
        this.#childGone(child, startedAt, how);
      });
    });
  }

  #announced(url: string): void {
    this.#url = url;
    this.#options.health?.setUrl(COMPONENT, url);
    this.#options.health?.report(COMPONENT, 'ok');
    this.#options.logger.info({ provider: this.provider, url }, 'tunnel up');
  }

  /** A child ended. While running, the tunnel is degraded and a restart is scheduled. */
  #childGone(child: ChildProcess, startedAt: number, how: string): void {
    if (child !== this.#child) return;
    this.#child = undefined;
    if (this.#phase !== 'running') return;
    // A child that held a URL for a full backoff period was healthy: start counting afresh.
    if (this.#url !== undefined && Date.now() - startedAt >= this.#backoff.maxMs)
      this.#failures = 0;
    this.#failures += 1;
    this.#url = undefined;
    const delayMs = restartDelayMs(this.#failures, this.#backoff);
    const { health, logger } = this.#options;
    health?.setUrl(COMPONENT, undefined);
    health?.report(COMPONENT, 'degraded', new Error(`tunnel process ${how}`));
    logger.warn({ provider: this.provider, how, delayMs }, 'tunnel process ended; restarting');
    this.#restartTimer = setTimeout(() => this.#restart(), delayMs);
  }

  #restart(): void {
    if (this.#phase !== 'running' || this.#launch === undefined) return;
    this.#options.health?.markRestart(COMPONENT);
    this.#runChild(this.#launch).then(
      (url) => {
        if (this.#phase === 'running') this.#announced(url);
      },
      (error: unknown) => {
        // The exit (or spawn failure) that caused this was handled by #childGone, which has
        // already scheduled the next attempt; only say why this one failed. A child ended by
        // stop() is no failure.
        if (this.#phase === 'running') {
          this.#options.logger.warn({ err: error }, 'tunnel restart failed');
        }
      },
    );
  }
}
