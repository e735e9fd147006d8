import { describe, expect, it } from 'vitest';
import { createReplyStream } from './reply-stream.js';
import type { ReplyTransform } from './types.js';

/** Holds back everything until the end, then upper-cases it. */
function holdAll(): ReplyTransform {
  let held = '';
  return {
    write(delta) {
      held += delta;
      return '';
    },
    end: () => held.toUpperCase(),
  };
}

function suffix(tag: string): ReplyTransform {
  return { write: (delta) => `${delta}${tag}`, end: () => '' };
}

describe('createReplyStream', () => {
  it('passes deltas straight through without transforms', () => {
    const sent: string[] = [];
    const reply = createReplyStream([], (delta) => sent.push(delta));
    reply.write('a');
    reply.write('b');
    expect(reply.end()).toBe('ab');
    expect(sent).toEqual(['a', 'b']);
  });

  it('runs transforms in order and sends only what the last one releases', () => {
    const sent: string[] = [];
    const reply = createReplyStream([suffix('1'), suffix('2')], (delta) => sent.push(delta));
    reply.write('a');
    expect(sent).toEqual(['a12']);
    expect(reply.end()).toBe('a12');
  });

  it("sends an earlier transform's held tail through the later transforms at the end", () => {
    const sent: string[] = [];
    const reply = createReplyStream([holdAll(), suffix('!')], (delta) => sent.push(delta));
    reply.write('ab');
    reply.write('c');
    expect(sent).toEqual([]);
    expect(reply.end()).toBe('ABC!');
    expect(sent).toEqual(['ABC!']);
  });

  it('refuses writes after the end and returns the same reply on a second end', () => {
    const reply = createReplyStream([]);
    reply.write('x');
    expect(reply.end()).toBe('x');
    expect(reply.end()).toBe('x');
    expect(() => reply.write('y')).toThrow('reply written after it ended');
  });

  describe('holdUntil', () => {
    /** A promise the test settles by hand. */
    function gate() {
      let open!: () => void;
      let fail!: (error: Error) => void;
      const promise = new Promise<void>((resolve, reject) => {
        open = resolve;
        fail = reject;
      });
      return { promise, open, fail };
    }

    it('delivers nothing until the gate opens, then everything in order', async () => {
      const sent: string[] = [];
      const reply = createReplyStream([suffix('.')], (delta) => sent.push(delta));
      const question = gate();
      const delivered = reply.holdUntil(question.promise);
      reply.write('a');
      reply.write('b');
      // Transformed and counted as the reply already; only the channel waits.
      expect(reply.end()).toBe('a.b.');
      await Promise.resolve();
      expect(sent).toEqual([]);
      question.open();
      await delivered;
      expect(sent).toEqual(['a.', 'b.']);
    });

    it('opens on a rejected gate too', async () => {
      const sent: string[] = [];
      const reply = createReplyStream([], (delta) => sent.push(delta));
      const question = gate();
      const delivered = reply.holdUntil(question.promise);
      reply.write('a');
      question.fail(new Error('memory down'));
      await delivered;
      expect(sent).toEqual(['a']);
    });

    it('sends straight through again once open, after the held text', async () => {
      const sent: string[] = [];
      const reply = createReplyStream([], (delta) => sent.push(delta));
      const question = gate();
      const delivered = reply.holdUntil(question.promise);
      reply.write('a');
      question.open();
      await delivered;
      reply.write('b');
      expect(sent).toEqual(['a', 'b']);
    });

    it('holds until the last of several gates settles', async () => {
      const sent: string[] = [];
      const reply = createReplyStream([], (delta) => sent.push(delta));
      const first = gate();
      const second = gate();
      const firstDone = reply.holdUntil(first.promise);
      const secondDone = reply.holdUntil(second.promise);
      reply.write('a');
      first.open();
      await firstDone;
      expect(sent).toEqual([]);
      second.open();
      await secondDone;
      expect(sent).toEqual(['a']);
    });

    it('rejects when the sink throws on delivery', async () => {
      const reply = createReplyStream([], () => {
        throw new Error('socket gone');
      });
      const question = gate();
      const delivered = reply.holdUntil(question.promise);
      reply.write('a');
      question.open();
      await expect(delivered).rejects.toThrow('socket gone');
    });

    it('throws the delivery failure to the next write, so the writer stops', async () => {
      let sends = 0;
      const reply = createReplyStream([], () => {
        sends += 1;
        if (sends === 1) throw new Error('socket gone');
      });
      const question = gate();
      const delivered = reply.holdUntil(question.promise);
      reply.write('a');
      question.open();
      await expect(delivered).rejects.toThrow('socket gone');
      expect(() => reply.write('b')).toThrow('socket gone');
      expect(sends).toBe(1);
    });
  });
});
