// A reference, not gatehouse: the least any Node.js hop between a client and an LLM can add. A
// bare node:http server that forwards each POST to the fake LLM over a keep-alive connection
// and passes the answer back as it arrives, without parsing, checking or re-encoding anything.
// The `proxy-floor` scenario compares it with the direct call, as `openai-stream` does the
// gateway. Prints `pass-through proxy listening on http://HOST:PORT` when ready.
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true });

const server = createServer((req, res) => {
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: `${upstream.pathname}${req.url}`,
        method: req.method,
        agent,
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          'content-length': body.length,
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode, {
          'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
        });
        answer.on('data', (chunk) => res.write(chunk));
        answer.on('end', () => res.end());
        answer.on('error', () => res.destroy());
      },
    );
    // A reference for a working upstream: a failure ends the client's request, nothing more.
    forwarded.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    forwarded.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`pass-through proxy listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
