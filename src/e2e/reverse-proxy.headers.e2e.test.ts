import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressMatcher } from '../http/cidr.js';
import { resolveClientAddress } from '../http/client-address.js';
import { sendRawRequest } from '../test-support/raw-http.js';
import {
  FIRST_EVENT,
  LAST_EVENT,
  startRecordingUpstream,
} from '../test-support/recording-upstream.js';
import type { RecordingUpstream, SeenRequest } from '../test-support/recording-upstream.js';
import {
  reserveLoopbackPort,
  startReverseProxy,
  stopAllProxies,
} from '../test-support/reverse-proxy.js';
import type { ProxyKind, RunningProxy } from '../test-support/reverse-proxy.js';
import { connectOk } from '../test-support/ws-client.js';
import { within } from '../test-support/ws-session.js';

/*
 * What the shipped nginx and Caddy configurations actually send upstream, recorded by a server in
 * the gateway's place: the forwarded headers, fed to the gateway's own client-address rule with
 * the documented `trusted_proxies = ["127.0.0.1/32"]`, name the real client even when the client
 * spoofs X-Forwarded-For; WebSocket upgrades pass on both WebSocket paths; a server-sent event
 * stream is passed on event by event, not buffered.
 */

const DOCUMENTED_TRUST = createAddressMatcher(['127.0.0.1/32']);

function clientOf(seen: SeenRequest, isTrustedProxy = DOCUMENTED_TRUST): string {
  return resolveClientAddress({ peerIp: seen.peer, headers: seen.headers, isTrustedProxy });
}

describe.each<ProxyKind>(['nginx', 'caddy'])(
  'what %s sends to the gateway (docs/deploy)',
  (kind) => {
    let upstream: RecordingUpstream | undefined;
    let proxy: RunningProxy | undefined;

    beforeAll(async () => {
      upstream = await startRecordingUpstream();
      proxy = await startReverseProxy(kind, await reserveLoopbackPort(), upstream.port);
    }, 300_000);

    afterAll(async () => {
      await proxy?.stop();
      await stopAllProxies();
      await upstream?.close();
    }, 30_000);

    const port = (): number => {
      if (proxy === undefined) throw new Error('setup failed');
      return proxy.port;
    };
    const seenVia = async (
      from: string,
      headers: Record<string, string> = {},
    ): Promise<SeenRequest> => {
      const response = await sendRawRequest({
        port: port(),
        method: 'POST',
        path: '/webhook',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"message":"hi"}',
        localAddress: from,
      });
      expect(response.status).toBe(200);
      return JSON.parse(response.body) as SeenRequest;
    };

    it('forwards the real client, scheme and host', async () => {
      const seen = await seenVia('127.0.0.2');
      expect(seen.peer).toBe('127.0.0.1');
      expect(clientOf(seen)).toBe('127.0.0.2');
      expect(seen.headers['x-forwarded-proto']).toBe('http');
      expect(seen.headers.host).toMatch(/^127\.0\.0\.1(:\d+)?$/);
      // Without trusting the proxy the gateway sees only the proxy: the header is what carries the client.
      expect(clientOf(seen, createAddressMatcher([]))).toBe('127.0.0.1');
    });

    it.each([
      ['another address', '203.0.113.7'],
      ['a chain', '198.51.100.1, 192.0.2.9'],
      ['the trusted proxy itself', '127.0.0.1'],
      ['garbage', 'not-an-address'],
    ])(
      'keeps the real client when the client spoofs X-Forwarded-For with %s',
      async (_name, spoof) => {
        const seen = await seenVia('127.0.0.3', { 'x-forwarded-for': spoof });
        expect(clientOf(seen)).toBe('127.0.0.3');
        // As docs/deploy/README.md says: nginx appends the peer, Caddy replaces the client's value.
        expect(seen.headers['x-forwarded-for']).toBe(
          kind === 'nginx' ? `${spoof}, 127.0.0.3` : '127.0.0.3',
        );
      },
    );

    it.each(['/ws', '/channels/web/ws'])('passes a WebSocket upgrade on %s', async (path) => {
      const client = await connectOk(`ws://127.0.0.1:${port()}${path}?ticket=t`, {
        localAddress: '127.0.0.4',
        origin: `http://127.0.0.1:${port()}`,
      });
      try {
        const seen = (await within(
          client.next(),
          5000,
          'the recorded upgrade',
        )) as unknown as SeenRequest;
        expect(seen.url).toBe(`${path}?ticket=t`);
        expect(seen.headers.upgrade?.toLowerCase()).toBe('websocket');
        expect(seen.headers.origin).toBe(`http://127.0.0.1:${port()}`);
        expect(clientOf(seen)).toBe('127.0.0.4');
      } finally {
        client.ws.close();
      }
    });

    it('passes a server-sent event on before the stream ends (no buffering)', async () => {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        request({ host: '127.0.0.1', port: port(), path: '/stream', agent: false }, resolve)
          .on('error', reject)
          .end();
      });
      response.setEncoding('utf8');
      const first = await within(
        new Promise<string>((resolve) => response.once('data', resolve)),
        5000,
        'the first event while the stream is still open',
      );
      expect(first).toBe(FIRST_EVENT);
      let rest = '';
      response.on('data', (chunk: string) => (rest += chunk));
      const ended = new Promise<void>((resolve) => response.once('end', resolve));
      upstream?.release();
      await within(ended, 5000, 'the end of the stream');
      expect(rest).toBe(LAST_EVENT);
    });
  },
);
