import type { ServerResponse } from 'node:http';
import {
  FailureScript,
  neverAnswer,
  startFakeApiServer,
  type HangFailure,
  type FakeAnswer,
  type FakeApiServer,
} from './fake-api-server.js';

/** A scripted Telegram failure: 429 with `parameters.retry_after`, or 500. */
export type TelegramFailure =
  | { status: 429; retryAfterSecs: number }
  | { status: 500 }
  /** The Bot API's answer to text it cannot parse in the given parse_mode. */
  | { status: 400; description: string }
  | HangFailure;

/** The fake Telegram Bot API: `POST /bot{token}/{method}`. */
export interface FakeTelegramApi extends FakeApiServer {
  /** Bodies sent to sendMessage. */
  sentMessages(): Array<{ chat_id: number; text: string; reply_to?: number }>;
  /** Queues an update for getUpdates (its `update_id` must increase). */
  pushUpdate(update: { update_id: number } & Record<string, unknown>): void;
  /** The `offset` of every getUpdates call, in order. */
  offsets(): number[];
  /** Makes the next `count` calls of `method` fail. */
  failNext(count: number, failure: TelegramFailure, method?: string): void;
  /** The next `count` calls of `method` succeed, then the failures added after this apply. */
  passNext(count: number, method?: string): void;
}

/** Starts the fake Bot API on 127.0.0.1:0; only `botToken` is accepted. */
export async function startFakeTelegramApi(options: {
  botToken: string;
}): Promise<FakeTelegramApi> {
  const failures = new Map<string, FailureScript<TelegramFailure>>();
  const updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let counter = 0;
  const script = (method: string): FailureScript<TelegramFailure> => {
    let found = failures.get(method);
    if (!found) {
      found = new FailureScript();
      failures.set(method, found);
    }
    return found;
  };

  const server = await startFakeApiServer(async (request, response) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.path);
    if (!match || match[1] !== options.botToken) {
      return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    }
    const method = match[2] ?? '';
    const failure = script(method).take() ?? script('*').take();
    // The message is taken (recorded) but the answer never comes.
    if (failure !== undefined && 'hang' in failure) return neverAnswer();
    if (failure) return failureAnswer(failure);
    const body = asRecord(request.body);
    if (method === 'sendMessage' && body.parse_mode === 'HTML' && !isTelegramHtml(body.text)) {
      return failureAnswer({
        status: 400,
        description: "Bad Request: can't parse entities: unsupported start tag",
      });
    }
    if (method === 'sendMessage') {
      counter += 1;
      return {
        status: 200,
        body: {
          ok: true,
          result: {
            message_id: 1000 + counter,
            date: 1_700_000_000,
            chat: { id: body.chat_id, type: 'private' },
            text: body.text,
          },
        },
      };
    }
    if (method === 'getUpdates') {
      const offset = typeof body.offset === 'number' ? body.offset : 0;
      const timeoutSecs = typeof body.timeout === 'number' ? body.timeout : 0;
      const result = await waitForUpdates(offset, timeoutSecs, response);
      return { status: 200, body: { ok: true, result } };
    }
    return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
  });

  function available(offset: number) {
    return updates.filter((update) => update.update_id >= offset);
  }

  function waitForUpdates(offset: number, timeoutSecs: number, response: ServerResponse) {
    return new Promise<unknown[]>((resolve) => {
      const check = (): void => {
        const ready = available(offset);
        if (ready.length > 0) finish(ready);
      };
      const finish = (result: unknown[]): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(result);
      };
      const timer = setTimeout(() => finish([]), timeoutSecs * 1000);
      response.once('close', () => finish([]));
      waiters.add(check);
      check();
    });
  }

  return Object.assign(server, {
    sentMessages() {
      return server.requests
        .filter((request) => request.path.endsWith('/sendMessage'))
        .map((request) => {
          const body = asRecord(request.body);
          const reply = asRecord(body.reply_parameters);
          return {
            chat_id: Number(body.chat_id),
            text: String(body.text),
            reply_to: typeof reply.message_id === 'number' ? reply.message_id : undefined,
          };
        });
    },
    pushUpdate(update: { update_id: number } & Record<string, unknown>) {
      updates.push(update);
      for (const wake of waiters) wake();
    },
    offsets() {
      return server.requests
        .filter((request) => request.path.endsWith('/getUpdates'))
        .map((request) => Number(asRecord(request.body).offset ?? 0));
    },
    failNext(count: number, failure: TelegramFailure, method = '*') {
      script(method).add(count, failure);
    },
    passNext(count: number, method = '*') {
      script(method).pass(count);
    },
  });
}

function failureAnswer(failure: Exclude<TelegramFailure, HangFailure>): FakeAnswer {
  if (failure.status === 400) {
    return {
      status: 400,
      body: { ok: false, error_code: 400, description: failure.description },
    };
  }
  if (failure.status === 429) {
    return {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${failure.retryAfterSecs}`,
        parameters: { retry_after: failure.retryAfterSecs },
      },
    };
  }
  return {
    status: 500,
    body: { ok: false, error_code: 500, description: 'Internal Server Error' },
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Tags the Bot API accepts with parse_mode HTML (https://core.telegram.org/bots/api#html-style). */
const TELEGRAM_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'span',
  'tg-spoiler',
  'tg-emoji',
  'blockquote',
]);

/** Like the Bot API: only allowed, balanced tags, and only the four named entities or numeric ones. */
function isTelegramHtml(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const stack: string[] = [];
  for (const match of text.matchAll(
    /<(\/?)([a-z-]+)(?:\s[^<>]*)?>|<|&(?!(?:lt|gt|amp|quot|#\d+);)/g,
  )) {
    const [whole, closing, tag] = match;
    if (whole === '<' || whole === '&' || tag === undefined || !TELEGRAM_TAGS.has(tag))
      return false;
    if (closing === '') stack.push(tag);
    else if (stack.pop() !== tag) return false;
  }
  return stack.length === 0;
}
