import { describe, expect, it } from 'vitest';
import { resolveInstanceId } from './instance-id.js';

describe('resolveInstanceId', () => {
  it.each([
    { configured: 'gw-1', host: 'box', pid: 7, id: 'gw-1' },
    { configured: undefined, host: 'box', pid: 7, id: 'box-7' },
    { configured: undefined, host: 'my box/αβ', pid: 12, id: 'my-box----12' },
    { configured: undefined, host: '', pid: 3, id: 'host-3' },
  ])('configured=$configured host=$host → $id', ({ configured, host, pid, id }) => {
    expect(resolveInstanceId(configured, host, pid)).toBe(id);
  });
});
