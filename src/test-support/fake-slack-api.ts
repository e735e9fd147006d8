import {
  FailureScript,
  neverAnswer,
  startFakeApiServer,
  type FakeApiServer,
  type HangFailure,
  type RecordedRequest,
} from './fake-api-server.js';

/**
 * A scripted Slack failure: HTTP 429 (`ratelimited`), HTTP 500, an `ok:false` error body, or a
 * lost answer (the message is posted, the answer never comes).
 */
export type SlackFailure =
  { status: 429; retryAfterSecs?: number } | { status: 500 } | { error: string } | HangFailure;

/** A message as the fake keeps it in a thread. */
export interface FakeSlackMessage {
  channel: string;
  text: string;
  ts: string;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** The fake Slack Web API: `POST /chat.postMessage`, `GET /conversations.replies`. */
export interface FakeSlackApi extends FakeApiServer {
  /** Bodies posted to chat.postMessage. */
  posted(): Array<{ channel: string; text: string; thread_ts?: string; authorization?: string }>;
  /** Messages the fake holds (posted successfully, or taken before a lost answer). */
  messages(): FakeSlackMessage[];
  /** Calls of conversations.replies. */
  repliesCalls(): RecordedRequest[];
  failNext(count: number, failure: SlackFailure): void;
  /** The next `count` posts succeed, then the failures added after this apply. */
  passNext(count: number): void;
}

/** Starts the fake Slack API on 127.0.0.1:0. */
export async function startFakeSlackApi(
  options: { botToken?: string } = {},
): Promise<FakeSlackApi> {
  const failures = new FailureScript<SlackFailure>();
  const stored: FakeSlackMessage[] = [];
  let counter = 0;
  const server = await startFakeApiServer(async (request) => {
    const url = new URL(request.path, 'http://fake.invalid');
    if (url.pathname !== '/chat.postMessage' && url.pathname !== '/conversations.replies') {
      return { status: 404, body: { ok: false, error: 'unknown_method' } };
    }
    if (
      options.botToken !== undefined &&
      request.headers.authorization !== `Bearer ${options.botToken}`
    ) {
      return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    }
    if (url.pathname === '/conversations.replies') return replies(url.searchParams);
    const failure = failures.take();
    if (failure && 'error' in failure)
      return { status: 200, body: { ok: false, error: failure.error } };
    if (failure && 'status' in failure && failure.status === 429) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers:
          failure.retryAfterSecs === undefined
            ? undefined
            : { 'retry-after': String(failure.retryAfterSecs) },
      };
    }
    if (failure && 'status' in failure && failure.status === 500)
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    const message = store(asRecord(request.body));
    if (failure && 'hang' in failure) return neverAnswer();
    return {
      status: 200,
      body: {
        ok: true,
        channel: message.channel,
        ts: message.ts,
        message: { text: message.text, ts: message.ts, type: 'message' },
      },
    };
  });

  function store(body: Record<string, unknown>): FakeSlackMessage {
    counter += 1;
    const message: FakeSlackMessage = {
      channel: String(body.channel),
      text: String(body.text),
      ts: `1700000000.${String(counter).padStart(6, '0')}`,
    };
    if (typeof body.thread_ts === 'string') message.thread_ts = body.thread_ts;
    const metadata = asRecord(body.metadata);
    if (typeof metadata.event_type === 'string') {
      message.metadata = {
        event_type: metadata.event_type,
        event_payload: asRecord(metadata.event_payload),
      };
    }
    stored.push(message);
    return message;
  }

  /** Thread replies, two per page, metadata only with include_all_metadata (as Slack does). */
  function replies(query: URLSearchParams) {
    const channel = query.get('channel');
    const ts = query.get('ts');
    if (channel === null || ts === null) {
      return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
    }
    const withMetadata = query.get('include_all_metadata') === 'true';
    const thread = stored.filter((m) => m.channel === channel && m.thread_ts === ts);
    const start = Number(query.get('cursor') ?? '0');
    const page = thread.slice(start, start + 2);
    const more = start + 2 < thread.length;
    return {
      status: 200,
      body: {
        ok: true,
        messages: page.map((m) => ({
          type: 'message',
          text: m.text,
          ts: m.ts,
          thread_ts: m.thread_ts,
          ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
        })),
        has_more: more,
        response_metadata: { next_cursor: more ? String(start + 2) : '' },
      },
    };
  }

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
    messages: () => [...stored],
    repliesCalls: () =>
      server.requests.filter((request) => request.path.startsWith('/conversations.replies')),
    failNext(count: number, failure: SlackFailure) {
      failures.add(count, failure);
    },
    passNext(count: number) {
      failures.pass(count);
    },
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
