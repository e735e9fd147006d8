import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from 'redis';
import { freePort } from './free-port.js';

/*
 * A Redis server owned by one test, on its own free port, without persistence: the test may stop
 * and restart it (an outage) without ever touching the machine's Redis.
 */

/** A test-owned redis-server process. */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
}

const MISSING = `redis-server is not installed. The outage tests start their own Redis:
  apt-get install redis-server   (bash .ci/run installs it)`;

async function answersPing(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    // Not listening yet (ECONNREFUSED) or still loading.
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Starts `redis-server --port <free> --save '' --appendonly no` and waits for it. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    child = spawned;
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', (error) => reject(new Error(MISSING, { cause: error })));
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await Promise.race([answersPing(url), failed]);
      if (up) return;
      if (spawned.exitCode !== null) throw new Error(`redis-server exited (${spawned.exitCode})`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };

  await start();
  return { port, url, stop, start };
}
