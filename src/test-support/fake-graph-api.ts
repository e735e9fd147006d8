import {
  FailureScript,
  neverAnswer,
  startFakeApiServer,
  type FakeApiServer,
  type HangFailure,
} from './fake-api-server.js';

/** A scripted Graph API failure. */
export type GraphFailure = { status: 429; retryAfterSecs?: number } | { status: 500 } | HangFailure;

/** The fake WhatsApp Cloud (Graph) API: `POST /{version}/{phone_number_id}/messages`. */
export interface FakeGraphApi extends FakeApiServer {
  /** Requests to the messages endpoint. */
  sent(): Array<{ to: string; body: string; path: string; authorization: string | undefined }>;
  failNext(count: number, failure: GraphFailure): void;
  /** The next `count` calls succeed, then the failures added after this apply. */
  passNext(count: number): void;
  /** Drops the scripted failures not used yet. */
  clearFailures(): void;
}

export interface FakeGraphApiOptions {
  /** When set, other bearer tokens get Graph's 401 (error 190). */
  accessToken?: string;
}

/** Starts the fake Graph API on 127.0.0.1:0. */
export async function startFakeGraphApi(options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const failures = new FailureScript<GraphFailure>();
  let counter = 0;
  const server = await startFakeApiServer(async (request) => {
    if (request.method !== 'POST' || !/^\/v\d+\.\d+\/[^/]+\/messages$/.test(request.path)) {
      return graphError(404, 100, 'Unsupported post request');
    }
    if (
      options.accessToken !== undefined &&
      request.headers.authorization !== `Bearer ${options.accessToken}`
    ) {
      return graphError(401, 190, 'Invalid OAuth access token');
    }
    const failure = failures.take();
    // The message is taken (recorded) but the answer never comes.
    if (failure !== undefined && 'hang' in failure) return neverAnswer();
    if (failure?.status === 429) {
      const answer = graphError(429, 130429, 'Rate limit hit');
      if (failure.retryAfterSecs !== undefined) {
        answer.headers = { 'retry-after': String(failure.retryAfterSecs) };
      }
      return answer;
    }
    if (failure?.status === 500) return graphError(500, 1, 'An unknown error occurred');
    const to = readTo(request.body);
    counter += 1;
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: `wamid.fake${counter}` }],
      },
    };
  });
  return Object.assign(server, {
    sent() {
      return server.requests
        .filter((request) => request.path.endsWith('/messages'))
        .map((request) => ({
          to: readTo(request.body),
          body: readText(request.body),
          path: request.path,
          authorization: request.headers.authorization,
        }));
    },
    failNext(count: number, failure: GraphFailure) {
      failures.add(count, failure);
    },
    passNext(count: number) {
      failures.pass(count);
    },
    clearFailures() {
      failures.clear();
    },
  });
}

function graphError(status: number, code: number, message: string) {
  return {
    status,
    body: { error: { message, type: 'OAuthException', code, fbtrace_id: 'AfakeTrace' } },
  } as { status: number; body: unknown; headers?: Record<string, string> };
}

function readTo(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'to' in body && typeof body.to === 'string') {
    return body.to;
  }
  return '';
}

function readText(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('text' in body)) return '';
  const text = body.text;
  if (
    typeof text === 'object' &&
    text !== null &&
    'body' in text &&
    typeof text.body === 'string'
  ) {
    return text.body;
  }
  return '';
}
