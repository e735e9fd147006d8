import { FailureScript, startFakeApiServer, type FakeApiServer } from './fake-api-server.js';

/** A scripted Slack failure: HTTP 429 (`ratelimited`), HTTP 500, or an `ok:false` error body. */
export type SlackFailure =
  { status: 429; retryAfterSecs?: number } | { status: 500 } | { error: string };

/** The fake Slack Web API: `POST /chat.postMessage`. */
export interface FakeSlackApi extends FakeApiServer {
  /** Bodies posted to chat.postMessage. */
  posted(): Array<{ channel: string; text: string; thread_ts?: string; authorization?: string }>;
  failNext(count: number, failure: SlackFailure): void;
}

/** Starts the fake Slack API on 127.0.0.1:0. */
export async function startFakeSlackApi(
  options: { botToken?: string } = {},
): Promise<FakeSlackApi> {
  const failures = new FailureScript<SlackFailure>();
  let counter = 0;
  const server = await startFakeApiServer(async (request) => {
    if (request.path !== '/chat.postMessage') {
      return { status: 404, body: { ok: false, error: 'unknown_method' } };
    }
    if (
      options.botToken !== undefined &&
      request.headers.authorization !== `Bearer ${options.botToken}`
    ) {
      return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    }
    const failure = failures.take();
    if (failure && 'error' in failure)
      return { status: 200, body: { ok: false, error: failure.error } };
    if (failure?.status === 429) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers:
          failure.retryAfterSecs === undefined
            ? undefined
            : { 'retry-after': String(failure.retryAfterSecs) },
      };
    }
    if (failure?.status === 500)
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    const body = asRecord(request.body);
    counter += 1;
    const ts = `1700000000.${String(counter).padStart(6, '0')}`;
    return {
      status: 200,
      body: {
        ok: true,
        channel: body.channel,
        ts,
        message: { text: body.text, ts, type: 'message' },
      },
    };
  });
  return Object.assign(server, {
    posted() {
      return server.requests
        .filter((request) => request.path === '/chat.postMessage')
        .map((request) => {
          const body = asRecord(request.body);
          return {
            channel: String(body.channel),
            text: String(body.text),
            thread_ts: typeof body.thread_ts === 'string' ? body.thread_ts : undefined,
            authorization: request.headers.authorization,
          };
        });
    },
    failNext(count: number, failure: SlackFailure) {
      failures.add(count, failure);
    },
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
