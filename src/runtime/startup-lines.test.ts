import { describe, expect, it } from 'vitest';
import { listeningUrl, startupLines } from './startup-lines.js';

describe('startupLines', () => {
  const base = { url: 'http://127.0.0.1:3000', paired: false, requirePairing: true };

  it('prints the listening line first, then the code, then the next steps in one write', () => {
    expect(startupLines({ ...base, publicUrl: undefined, code: '123456' })).toEqual([
      'gatehouse listening on http://127.0.0.1:3000\n',
      'gatehouse pairing code: 123456\n',
      "gatehouse web chat: http://127.0.0.1:3000/\ngatehouse pair: curl -X POST http://127.0.0.1:3000/pair -H 'X-Pairing-Code: 123456'\n",
    ]);
  });

  it('names the public URL when there is one, and no code when none was issued', () => {
    const lines = startupLines({ ...base, publicUrl: 'https://gw.example.com', code: undefined });
    expect(lines.slice(0, 2)).toEqual([
      'gatehouse listening on http://127.0.0.1:3000\n',
      'gatehouse public url: https://gw.example.com\n',
    ]);
    expect(lines.join('')).not.toContain('pairing code');
  });
});

describe('listeningUrl', () => {
  it.each([
    ['127.0.0.1', 3000, 'http://127.0.0.1:3000'],
    ['::1', 8080, 'http://[::1]:8080'],
  ])('%s:%d → %s', (host, port, url) => {
    expect(listeningUrl(host, port)).toBe(url);
  });
});
