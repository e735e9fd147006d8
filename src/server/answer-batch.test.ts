import { describe, expect, it } from 'vitest';
import { AnswerBatch } from './answer-batch.js';

/** Resolves after the current loop turn's check phase. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AnswerBatch', () => {
  it('writes the answers of a loop turn together, after the turn has done its other work', async () => {
    const batch = new AnswerBatch();
    const order: string[] = [];
    batch.write(batch.join(), () => order.push('first answer'));
    await Promise.resolve();
    batch.write(batch.join(), () => order.push('second answer'));
    order.push('rest of the turn');
    process.nextTick(() => order.push('next tick'));
    expect(order).toEqual(['rest of the turn']);
    await nextTurn();
    expect(order).toEqual(['rest of the turn', 'next tick', 'first answer', 'second answer']);
  });

  it('joins requests of one turn into one batch and starts a new one in the next turn', async () => {
    const batch = new AnswerBatch();
    const first = batch.join();
    expect(batch.join()).toBe(first);
    await nextTurn();
    expect(first.written).toBe(true);
    const second = batch.join();
    expect(second).not.toBe(first);
    expect(second.written).toBe(false);
  });

  it('writes at once an answer whose turn was written already, or that has no turn', async () => {
    const batch = new AnswerBatch();
    const turn = batch.join();
    await nextTurn();
    const order: string[] = [];
    batch.write(turn, () => order.push('late answer'));
    batch.write(undefined, () => order.push('answer without a turn'));
    expect(order).toEqual(['late answer', 'answer without a turn']);
  });

  it('still writes the rest of a batch when one write throws', async () => {
    const batch = new AnswerBatch();
    const written: string[] = [];
    const turn = batch.join();
    batch.write(turn, () => {
      throw new Error('broken write');
    });
    batch.write(turn, () => written.push('next answer'));
    await nextTurn();
    expect(written).toEqual(['next answer']);
  });
});
