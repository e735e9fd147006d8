// Sequential chat turns from the benchmark's own process (never the gateway's): one client, one
// turn at a time, for a fixed duration. Returns turns/s and p50/p99 turn latency in ms.
import WebSocket from 'ws';
import { percentile } from './stats.mjs';

function summarize(latencies, elapsedMs) {
  return {
    rps: (latencies.length * 1000) / elapsedMs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Runs `turn()` back to back for `durationSecs` (after a short warm-up). */
export async function timedTurns(turn, durationSecs) {
  for (let i = 0; i < 20; i++) await turn();
  const latencies = [];
  const started = performance.now();
  const end = started + durationSecs * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await turn();
    latencies.push(performance.now() - t0);
  }
  return summarize(latencies, performance.now() - started);
}

/** A POST whose whole (possibly streamed) body is read; throws on a non-2xx answer. */
export function httpTurn(url, { headers = {}, body }) {
  return async () => {
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`);
  };
}

/** Opens a WebSocket chat session; resolves with a `turn()` that sends one message and awaits `done`. */
export function openWsSession(url, token) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const socket = new WebSocket(url, { headers });
  let pending;
  let counter = 0;
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'ready') {
        resolve({
          turn: () =>
            new Promise((done, fail) => {
              const id = `b${++counter}`;
              pending = { id, done, fail };
              socket.send(JSON.stringify({ type: 'message', id, text: 'hello bench' }));
            }),
          /** Closes the session; resolves once the socket is closed. */
          close: () =>
            new Promise((closed) => {
              socket.once('close', closed);
              socket.close();
            }),
        });
      } else if (frame.type === 'done' && frame.id === pending?.id) {
        pending.done();
      } else if (frame.type === 'error') {
        pending?.fail(new Error(`ws error frame: ${frame.code} ${frame.message}`));
      }
    });
  });
}
