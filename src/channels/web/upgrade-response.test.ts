import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { API_CSP, SECURITY_HEADERS } from '../../http/security-headers.js';
import { rejectUpgrade } from './upgrade-response.js';

interface Written {
  status: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

async function refuse(reason: ErrorCode | GatewayError): Promise<Written> {
  const socket = new PassThrough();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  rejectUpgrade(socket, reason);
  await closed;
  const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
  const [status = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const [name = '', ...value] = line.split(': ');
      return [name.toLowerCase(), value.join(': ')];
    }),
  );
  return { status, headers, body: JSON.parse(body) as Record<string, unknown> };
}

describe('rejectUpgrade', () => {
  it.each<ErrorCode>(['WS_TOO_MANY_PENDING', 'RATE_LIMITED'])(
    'answers %s with 429, retry_after in the body and a matching Retry-After header',
    async (code) => {
      const written = await refuse(code);
      expect(written.status).toBe('HTTP/1.1 429 Too Many Requests');
      expect(written.body).toMatchObject({ code, retry_after: 1 });
      expect(written.headers['retry-after']).toBe('1');
    },
  );

  it("keeps the error's own retry_after", async () => {
    const written = await refuse(new GatewayError('RATE_LIMITED', { extra: { retry_after: 7 } }));
    expect(written.body).toEqual({
      error: 'Too many requests. Try again in 7s.',
      code: 'RATE_LIMITED',
      retry_after: 7,
    });
    expect(written.headers['retry-after']).toBe('7');
  });

  it('sends no retry hint for a refusal that retrying cannot fix', async () => {
    const written = await refuse('ORIGIN_FORBIDDEN');
    expect(written.status).toBe('HTTP/1.1 403 Forbidden');
    expect(written.body).toEqual({ error: 'Origin not allowed', code: 'ORIGIN_FORBIDDEN' });
    expect(written.headers).not.toHaveProperty('retry-after');
    expect(written.headers).toMatchObject({ connection: 'close', 'cache-control': 'no-store' });
  });

  it.each<ErrorCode>(['ORIGIN_FORBIDDEN', 'WS_TICKET_INVALID', 'WS_TOO_MANY_PENDING', 'INTERNAL'])(
    'sends the same security headers as every HTTP route when refusing with %s',
    async (code) => {
      const written = await refuse(code);
      expect(written.headers).toMatchObject(SECURITY_HEADERS);
      expect(written.headers['content-security-policy']).toBe(API_CSP);
    },
  );
});
