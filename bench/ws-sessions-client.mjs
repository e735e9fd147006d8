// The client side of the idle-session benchmark, in its own process: opens WebSocket sessions
// to a server and keeps them open, idle, until told to close them.
//
// Reads commands on stdin, one per line: `open N` opens N more sessions (a few at a time, each
// counted once its `ready` frame came) and answers `opened TOTAL`; `close` closes every session
// and answers `closed`. Fails (exit 1, the reason on stderr) when a session is refused or drops.
//
// Usage: node bench/ws-sessions-client.mjs WS_URL [TOKEN]
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, token] = process.argv.slice(2);
if (url === undefined) {
  console.error('usage: node bench/ws-sessions-client.mjs WS_URL [TOKEN]');
  process.exit(2);
}
// Below the gateway's default of 32 unauthenticated connections per client.
const AT_ONCE = 16;
const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
const sessions = new Set();
let closing = false;

function fail(message) {
  console.error(message);
  process.exit(1);
}

function openOne() {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    socket.once('unexpected-response', (_request, response) =>
      fail(`session refused: HTTP ${response.statusCode}`),
    );
    socket.once('error', (error) => fail(`session failed: ${error.message}`));
    socket.once('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type !== 'ready') fail(`expected a ready frame, got ${String(data)}`);
      sessions.add(socket);
      resolve();
    });
    socket.once('close', (code) => {
      if (!closing) fail(`a session closed by the server (code ${code})`);
    });
  });
}

async function open(count) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, count) }, worker));
}

async function closeAll() {
  closing = true;
  await Promise.all(
    [...sessions].map(
      (socket) =>
        new Promise((resolve) => {
          socket.once('close', resolve);
          socket.close(1000);
        }),
    ),
  );
  sessions.clear();
  closing = false;
}

for await (const line of createInterface({ input: process.stdin })) {
  const [command, argument] = line.trim().split(/\s+/);
  if (command === 'open') {
    await open(Number(argument));
    console.log(`opened ${sessions.size}`);
  } else if (command === 'close') {
    await closeAll();
    console.log('closed');
  } else {
    fail(`unknown command: ${line}`);
  }
}
// Input closed: the benchmark is done with this side.
process.exit(0);
