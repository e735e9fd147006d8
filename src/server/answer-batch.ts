/** The answers of one turn of the event loop, written together once its I/O has been read. */
export interface BatchTurn {
  writes: Array<() => void>;
  written: boolean;
}

/**
 * Writes the answers the lanes finish while the event loop is reading requests together, in that
 * loop turn's check phase, instead of each the moment it is ready.
 *
 * Answered in the middle of the poll phase, each answer goes out between two reads: the client
 * is woken for every answer, sends its next request at once, and the server wakes up more often
 * for fewer requests each time. Held until every socket that was readable has been read, the
 * answers of a turn go out back to back. Measured under load with 50 connections on 2 cores
 * (docs/benchmarks.md), that halved the CPU time of a `/webhook` request with memory none.
 *
 * An answer finished after its turn's batch was written (a turn that waited for an upstream
 * call, a database commit or a timer) is written at once: it is already in a later callback,
 * and holding it would only add a loop turn to its latency.
 */
export class AnswerBatch {
  private open: BatchTurn | undefined;

  /**
   * The batch `response`'s answer joins: the current loop turn's, begun by its first request
   * (which schedules the write); none for a response queued behind another answer on its
   * connection (pipelined, it has no socket yet). Node stops reading a connection once the
   * answers queued on it pass the socket's high-water mark, and counts them as they are
   * written: held back in a batch they would not count, and a client pipelining requests
   * behind a slow one could make the gateway read and hold far more of them.
   */
  joinFor(response: { readonly socket: unknown }): BatchTurn | undefined {
    return response.socket ? this.join() : undefined;
  }

  /** The batch of the current loop turn, begun by its first request (which schedules the write). */
  join(): BatchTurn {
    if (this.open !== undefined) return this.open;
    const turn: BatchTurn = { writes: [], written: false };
    this.open = turn;
    setImmediate(() => this.flush(turn));
    return turn;
  }

  /**
   * Makes `write` with `turn`'s batch if that has not been written yet, otherwise now (`turn`
   * undefined: now). A write must not throw: each catches its own failure, and one that throws
   * anyway is dropped so the rest of the batch still goes out.
   */
  write(turn: BatchTurn | undefined, write: () => void): void {
    if (turn !== undefined && !turn.written) turn.writes.push(write);
    else write();
  }

  private flush(turn: BatchTurn): void {
    turn.written = true;
    if (this.open === turn) this.open = undefined;
    for (const write of turn.writes) {
      try {
        write();
      } catch {
        // See write(): the lanes catch their own failures; this keeps the others' answers going.
      }
    }
    turn.writes = [];
  }
}
