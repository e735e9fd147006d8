import { randomUUID } from 'node:crypto';
import type { Authenticate } from '../../auth/authenticate.js';
import { hasTokenParam } from '../../auth/bearer.js';
import { SCOPE_API } from '../../auth/scopes.js';
import { timeOrderedUuid } from '../../core/time-ordered-uuid.js';
import type { Principal } from '../../core/types.js';
import { GatewayError, isGatewayError } from '../../errors.js';
import { parseIdempotencyKey } from '../../limits/idempotency.js';
import type { ChannelAdapter, ChannelRequest, ParseResult, VerifyResult } from '../types.js';
import { parseSessionId, parseWebhookBody, verifyWebhookSecret } from './webhook-request.js';

export interface ApiAdapterOptions {
  authenticator: Authenticate;
  /** SHA-256 of `[channels_config.webhook].secret`, when set. */
  webhookSecretHash: Buffer | undefined;
}

/** Headers that must appear once: repeated secrets and ids are ambiguous, so they are refused. */
const SINGLE_HEADERS = ['x-webhook-secret', 'x-session-id', 'x-idempotency-key'] as const;

/**
 * `POST /webhook` as a channel adapter: bearer (paired token or JWT with `channels:api`), then
 * `X-Webhook-Secret` when configured; the body becomes one message of a conversation scoped by
 * the caller. Replies go back in the HTTP response, so there is nothing to deliver.
 */
export function createApiAdapter(options: ApiAdapterOptions): ChannelAdapter {
  return {
    name: 'api',
    async verify(request) {
      if (hasTokenParam(Object.keys(request.query)))
        return { ok: false, code: 'AUTH_TOKEN_IN_URL' };
      let principal: Principal;
      try {
        principal = await options.authenticator(request.headers.authorization, SCOPE_API);
      } catch (error) {
        if (isGatewayError(error)) return { ok: false, code: error.code };
        throw error;
      }
      // One shared anonymous id would let every caller replay another's idempotency keys and
      // read another's X-Session-Id conversation; the client key keeps them apart.
      if (principal.kind === 'anonymous') {
        principal = { ...principal, id: `anonymous:${request.clientKey ?? 'unknown'}` };
      }
      const repeated = repeatedHeader(request, 'x-webhook-secret');
      if (repeated !== undefined) return repeated;
      if (!verifyWebhookSecret(options.webhookSecretHash, request.headers['x-webhook-secret'])) {
        return { ok: false, code: 'WEBHOOK_SECRET_INVALID' };
      }
      return { ok: true, principal };
    },
    parse(request, principal) {
      if (principal === undefined) throw new Error('the api channel parses verified requests only');
      return parseApiRequest(request, principal);
    },
  };
}

function parseApiRequest(request: ChannelRequest, principal: Principal): ParseResult {
  const body = parseWebhookBody(request.rawBody);
  for (const name of SINGLE_HEADERS) {
    if (request.repeatedHeaders?.has(name)) {
      throw new GatewayError('INVALID_HEADER', { message: `${name} must appear once` });
    }
  }
  const sessionId = parseSessionId(request.headers['x-session-id']);
  const idempotencyKey = parseIdempotencyKey(request.headers['x-idempotency-key']);
  // A session id is scoped by principal so nobody can read another client's history by guessing it.
  // A fresh conversation's id grows with time: its rows then go to the end of memory's session
  // index instead of a random page of it (the id is not shown to the client).
  const conversationId = `api:${principal.id}:${sessionId ?? timeOrderedUuid()}`;
  // Without X-Session-Id the conversation id was made up just now: no history to look up.
  const turn: NonNullable<ParseResult['turn']> = { freshConversation: sessionId === undefined };
  if (idempotencyKey !== undefined) turn.idempotencyKey = idempotencyKey;
  return {
    messages: [
      {
        channel: 'api',
        senderId: principal.id,
        conversationId,
        text: body.message,
        messageId: randomUUID(),
        replyTarget: 'http',
        receivedAt: request.receivedAt,
      },
    ],
    dropped: 0,
    turn,
  };
}

function repeatedHeader(request: ChannelRequest, name: string): VerifyResult | undefined {
  if (!request.repeatedHeaders?.has(name)) return undefined;
  return { ok: false, code: 'INVALID_HEADER', message: `${name} must appear once` };
}
