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
});
