// The bare baseline, in its own process: node:http answering the same JSON as the gateway's
// /health and /webhook, and a bare `ws` server streaming one chunk and a done frame per message.
// Prints `baseline listening on http://HOST:PORT` when ready.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const health = JSON.stringify({ status: 'ok', paired: true });
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(health);
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ response: `echo: ${message}`, model: 'echo' }));
  });
});

const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', (socket) => {
  socket.send(JSON.stringify({ type: 'ready', session_id: 'bench' }));
  socket.on('message', (data) => {
    const { id, text } = JSON.parse(String(data));
    const response = `echo: ${text}`;
    socket.send(JSON.stringify({ type: 'chunk', id, delta: response }));
    socket.send(JSON.stringify({ type: 'done', id, response, model: 'echo' }));
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`baseline listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
