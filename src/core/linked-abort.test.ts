import { describe, expect, it } from 'vitest';
import { linkAbort } from './linked-abort.js';

describe('linkAbort', () => {
  it('aborts with the parent and keeps the parent reason', () => {
    const parent = new AbortController();
    const link = linkAbort(parent.signal);
    expect(link.signal.aborted).toBe(false);
    const reason = new Error('client went away');
    parent.abort(reason);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe(reason);
  });

  it('starts aborted when the parent already is', () => {
    const parent = new AbortController();
    parent.abort('early');
    const link = linkAbort(parent.signal);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe('early');
  });

  it('aborts on its own without touching the parent', () => {
    const parent = new AbortController();
    const link = linkAbort(parent.signal);
    link.abort('cap reached');
    expect(link.signal.reason).toBe('cap reached');
    expect(parent.signal.aborted).toBe(false);
  });

  it('no longer follows the parent once released', () => {
    const parent = new AbortController();
    const link = linkAbort(parent.signal);
    link.release();
    parent.abort();
    expect(link.signal.aborted).toBe(false);
  });
});
