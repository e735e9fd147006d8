// A fake OpenAI-compatible LLM in its own process: POST /v1/chat/completions answers at once,
// streamed (`data:` chunks, then `data: [DONE]`) when `stream` is true. It is the "direct call"
// side of the gateway-added-latency scenarios. Prints `fake-llm listening on http://HOST:PORT/v1`.
import { createServer } from 'node:http';

const WORDS = ['Hello', ' from', ' the', ' fake', ' model', '.'];

function chunk(delta, finish) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'bench-model',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`;
}

const server = createServer((req, res) => {
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{}}');
      return;
    }
    const body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(chunk({ role: 'assistant', content: '' }, null));
      for (const word of WORDS) res.write(chunk({ content: word }, null));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'bench-model',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: WORDS.join('') },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
      }),
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`fake-llm listening on http://127.0.0.1:${server.address().port}/v1`);
});
process.on('SIGTERM', () => process.exit(0));
