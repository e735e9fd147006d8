import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveringChannelAdapter, OutboundReply } from '../channels/types.js';
import { DeliveryError } from '../channels/types.js';
import type { Dispatch } from '../core/types.js';
import { GatewayError } from '../errors.js';
import { ProviderError } from '../providers/types.js';
import {
  recordingHealth,
  recordingObserver,
  silentLogger,
} from '../test-support/channel-test-deps.js';
import { inboxMessage } from '../test-support/inbox-contract.js';
import { FAILURE_REPLY, isRetryable, processItem, type ProcessContext } from './process-item.js';
import { openSqliteInbox } from './sqlite-inbox.js';
import type { Inbox } from './types.js';

/** The wrapping agentTurn puts around every provider failure. */
const llmFailure = (cause: unknown) => new GatewayError('LLM_REQUEST_FAILED', { cause });

describe('isRetryable', () => {
  it.each([
    ['a 401 bad API key', llmFailure(new ProviderError('401', { status: 401 })), false],
    ['a 400 bad request', llmFailure(new ProviderError('400', { status: 400 })), false],
    [
      'a 429 rate limit',
      llmFailure(new ProviderError('429', { status: 429, retryable: true })),
      true,
    ],
    ['a 503', llmFailure(new ProviderError('503', { status: 503, retryable: true })), true],
    ['a timeout', llmFailure(new ProviderError('timed out', { retryable: true })), true],
    ['an aborted call', llmFailure(new ProviderError('aborted', { aborted: true })), true],
    ['a bare non-retryable ProviderError', new ProviderError('401', { status: 401 }), false],
    ['LLM_REQUEST_FAILED without a provider cause', llmFailure(new Error('boom')), true],
    ['a content block', new GatewayError('CONTENT_BLOCKED'), false],
    ['a retryable delivery error', new DeliveryError('503', { retryable: true }), true],
    ['a final delivery error', new DeliveryError('403', { retryable: false }), false],
    ['an unknown error', new Error('disk hiccup'), true],
  ])('decides for %s: %s', (_name, error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe('processItem with a failing agent turn', () => {
  let dir: string;
  let inbox: Inbox;
  let delivered: OutboundReply[];
  let dispatchCalls: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-process-item-'));
    inbox = openSqliteInbox({ path: path.join(dir, 'inbox.db') });
    delivered = [];
    dispatchCalls = 0;
  });

  afterEach(async () => {
    await inbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const adapter: DeliveringChannelAdapter = {
    name: 'whatsapp',
    verify: () => ({ ok: true }),
    parse: () => ({ messages: [], dropped: 0 }),
    deliver: async (reply) => {
      delivered.push(reply);
    },
    split: (text) => [text],
    unknownOutcome: 'resend',
  };

  const context = (dispatch: Dispatch): ProcessContext => ({
    inbox,
    adapters: new Map([['whatsapp', adapter]]),
    dispatch: (request) => {
      dispatchCalls++;
      return dispatch(request);
    },
    observer: recordingObserver(),
    health: recordingHealth(),
    logger: silentLogger(),
    maxAttempts: 5,
    retryBaseMs: 5,
    retryMaxMs: 20,
    maxAgeMs: 3_600_000,
    now: () => Date.now(),
    onRetryScheduled: () => undefined,
  });

  const runOnce = async (dispatch: Dispatch) => {
    await inbox.enqueue([inboxMessage('wamid.1')]);
    const [item] = await inbox.claim(1, 30_000);
    if (!item) throw new Error('nothing claimed');
    await processItem(context(dispatch), item, new AbortController().signal);
    return inbox.counts();
  };

  it('fails a message at once when the provider rejects the API key (401)', async () => {
    const counts = await runOnce(() =>
      Promise.reject(llmFailure(new ProviderError('openai API error 401', { status: 401 }))),
    );
    expect(counts).toMatchObject({ dead: 1, pending: 0 });
    expect(dispatchCalls).toBe(1);
    expect(delivered.map((reply) => reply.text)).toEqual([FAILURE_REPLY]);
  });

  it('schedules a retry when the provider is rate limited (429)', async () => {
    const counts = await runOnce(() =>
      Promise.reject(
        llmFailure(new ProviderError('openai API error 429', { status: 429, retryable: true })),
      ),
    );
    expect(counts).toMatchObject({ dead: 0, pending: 1 });
    expect(delivered).toEqual([]);
  });

  it('schedules a retry when the provider call timed out', async () => {
    const counts = await runOnce(() =>
      Promise.reject(llmFailure(new ProviderError('openai timed out', { retryable: true }))),
    );
    expect(counts).toMatchObject({ dead: 0, pending: 1 });
  });
});
