import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The auto-checkpoint threshold (WAL pages, 4 KiB each) for a writer whose checkpoints run on the
 * checkpointer: well above what the thread lets build up between two of its checkpoints, so the
 * writer checkpoints itself only when the thread falls behind or has failed.
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 4000;

/** Options for startSqliteCheckpointer. */
export interface SqliteCheckpointerOptions {
  /** The database file (WAL mode), already created. */
  file: string;
  /** Least time between two checkpoints while writes keep coming. */
  minIntervalMs?: number;
  /** Told when a checkpoint fails (the writer's own auto-checkpoint still bounds the WAL). */
  onError?: (message: string) => void;
}

/** A running checkpointer: tell it about commits, stop it before closing the database. */
export interface SqliteCheckpointer {
  /** Something was committed: a checkpoint is due within `minIntervalMs`. Cheap (no message). */
  committed(): void;
  /** Stops the thread after a last checkpoint; resolves once it has exited. */
  stop(): Promise<void>;
}

/** How long stop() waits for the thread's last checkpoint before terminating it. */
const STOP_TIMEOUT_MS = 5_000;

// Int32 slots shared with the thread: a commit counter (also the wake-up word) and a stop flag.
const COMMITS = 0;
const STOP = 1;

/**
 * The thread's code. It sleeps on the commit counter, checkpoints (PASSIVE: it never waits for
 * the writer and never makes the writer wait), then rests `minIntervalMs` so a stream of commits
 * costs one checkpoint per interval, not one per commit.
 *
 * On Linux it runs at the lowest CPU priority (nice 19). There a thread's nice value is its own;
 * elsewhere the same call would lower the whole process, so there it keeps the default. A commit
 * wakes it just as the turn that committed needs a CPU for its answer, and on a small machine the
 * other CPU may be busy with the LLM's client or a local LLM: at the default priority the thread
 * took a CPU from them. What it copies is already committed, so a checkpoint that comes a little
 * later only lets the WAL grow a little longer; should the thread fall far behind, the writer's
 * own auto-checkpoint (WRITER_AUTOCHECKPOINT_PAGES) still bounds the WAL. A system that refuses
 * the change leaves the thread at the default priority, which works the same.
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { file, shared, minIntervalMs } = workerData;
const slots = new Int32Array(shared);
// SQLite's errors lose their message on the way to the parent thread: send it as text.
const describe = (error) => String((error && (error.message || error.code)) || error);
function run() {
  if (process.platform === 'linux') {
    try {
      const os = require('node:os');
      os.setPriority(os.constants.priority.PRIORITY_LOW);
    } catch {
      // Not allowed here: checkpoints run at the default priority.
    }
  }
  let db;
  try {
    const Database = require(workerData.driver);
    db = new Database(file, { fileMustExist: true });
  } catch (error) {
    parentPort.postMessage(describe(error));
    return;
  }
  let seen = 0;
  for (;;) {
    Atomics.wait(slots, ${COMMITS}, seen);
    seen = Atomics.load(slots, ${COMMITS});
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      parentPort.postMessage(describe(error));
    }
    if (Atomics.load(slots, ${STOP}) === 1) break;
    // Rests, unless stopped meanwhile: stop() also counts a commit, so the next wait returns at
    // once and the last checkpoint runs before the loop ends.
    Atomics.wait(slots, ${STOP}, 0, minIntervalMs);
  }
  db.close();
}
run();
`;

/**
 * Moves WAL checkpoints of one SQLite file off the event loop. With `synchronous = NORMAL` a
 * commit only appends to the WAL; the checkpoint that copies the WAL into the database fsyncs
 * both files, and SQLite runs it inside whichever commit crosses the WAL threshold, so the event
 * loop stalls on disk flushes for milliseconds and every request waits. This thread, with its own
 * connection, checkpoints as commits come instead. Durability does not change: the same pages are
 * written and synced, only on another thread. The writer should keep an auto-checkpoint
 * threshold (raised) as a bound on the WAL should this thread fall behind or fail.
 */
export function startSqliteCheckpointer(options: SqliteCheckpointerOptions): SqliteCheckpointer {
  const shared = new SharedArrayBuffer(8);
  const slots = new Int32Array(shared);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINTER_SOURCE, {
    eval: true,
    workerData: { driver, file: options.file, shared, minIntervalMs: options.minIntervalMs ?? 10 },
    // A checkpointer needs little: a small heap keeps the thread's memory small.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  // Idle, it does not hold the process open; stop() holds it again until the thread is gone, or
  // a shutdown awaiting stop() would find nothing left to keep the event loop alive and end the
  // process before the steps after it.
  worker.unref();
  worker.on('message', (message: string) => options.onError?.(message));
  worker.on('error', (error: unknown) => {
    // An error thrown in the thread arrives as a copy, not always an Error instance.
    const message = (error as { message?: unknown } | null)?.message;
    options.onError?.(typeof message === 'string' ? message : String(error));
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    committed() {
      Atomics.add(slots, COMMITS, 1);
      Atomics.notify(slots, COMMITS);
    },
    async stop() {
      worker.ref();
      Atomics.store(slots, STOP, 1);
      Atomics.notify(slots, STOP);
      Atomics.add(slots, COMMITS, 1);
      Atomics.notify(slots, COMMITS);
      // A checkpoint stuck on the disk must not hold shutdown: past the bound the thread is
      // terminated (the writer's own close checkpoints whatever is left).
      const bound = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      try {
        await exited;
      } finally {
        clearTimeout(bound);
      }
    },
  };
}
