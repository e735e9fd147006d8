import type { AuditLog } from '../audit/audit-log.js';
import type { NamedStage, TurnContext } from '../types.js';
import { isoTimestamp } from '../iso-timestamp.js';

export interface AuditStageOptions {
  log: AuditLog;
  /** Adds `claims` (sub, jti, scope, iss) of a JWT or paired token; never the token itself. */
  includeTokenClaims: boolean;
  /** Adds `text` (the message, the reply): personal data, off by default. */
  includeMessageBody: boolean;
  /** The `iss` every accepted JWT carries (checked at authentication). */
  jwtIssuer: string;
  now?: () => number;
}

type Outcome = 'ok' | 'duplicate' | 'blocked' | 'rate_limited' | 'error';

/**
 * `audit`: one JSON line for each inbound message and one for each outbound reply, also when the
 * turn failed, was blocked or limited. The dispatch runs it outermost wherever it is listed, so
 * no other stage can end a turn unseen.
 */
export function auditStage(options: AuditStageOptions): NamedStage {
  const { log, includeTokenClaims, includeMessageBody, jwtIssuer } = options;
  const now = options.now ?? Date.now;

  function base(ctx: TurnContext, direction: 'inbound' | 'outbound', at: number) {
    const { message, principal } = ctx.request;
    return {
      ts: isoTimestamp(at),
      direction,
      channel: message.channel,
      principal: principal.id,
      sender: message.senderId,
      agent: ctx.agent.name,
      message_id: message.messageId,
      conversation_id: message.conversationId,
      ...(includeTokenClaims ? { claims: claimsOf(ctx, jwtIssuer) } : {}),
    };
  }

  return {
    name: 'audit',
    run: async function recordAudit(ctx, next) {
      const started = now();
      const received = ctx.request.message.text;
      let failure: unknown;
      try {
        await next();
      } catch (error) {
        failure = error;
      }
      const marks = ctx.marks ?? {};
      const code = failure === undefined ? undefined : errorCode(failure);
      const inboundOutcome: Outcome =
        marks.blocked === 'inbound'
          ? 'blocked'
          : marks.limited !== undefined
            ? 'rate_limited'
            : ctx.result?.duplicate === true
              ? 'duplicate'
              : 'ok';
      const inboundCode =
        marks.blocked === 'inbound' ? 'CONTENT_BLOCKED' : (marks.limited ?? undefined);
      log.write({
        ...base(ctx, 'inbound', started),
        outcome: inboundOutcome,
        ...(inboundCode === undefined || inboundOutcome === 'ok' ? {} : { code: inboundCode }),
        length: received.length,
        ...(marks.flagged === true ? { flagged: true } : {}),
        ...(includeMessageBody ? { text: received } : {}),
      });
      const reply = ctx.result?.response ?? '';
      const outcome: Outcome =
        marks.blocked !== undefined
          ? 'blocked'
          : marks.limited !== undefined
            ? 'rate_limited'
            : failure !== undefined
              ? 'error'
              : ctx.result?.duplicate === true
                ? 'duplicate'
                : 'ok';
      const outboundCode =
        marks.blocked !== undefined ? 'CONTENT_BLOCKED' : (marks.limited ?? code);
      const ended = now();
      log.write({
        ...base(ctx, 'outbound', ended),
        outcome,
        ...(outcome === 'ok' || outcome === 'duplicate'
          ? {}
          : { code: outboundCode ?? 'INTERNAL' }),
        duration_ms: ended - started,
        length: reply.length,
        ...(marks.flagged === true ? { flagged: true } : {}),
        ...(includeMessageBody && failure === undefined ? { text: reply } : {}),
      });
      if (failure !== undefined) throw failure;
    },
  };
}

/** The credential's claims as the gateway verified them; the token itself is never recorded. */
function claimsOf(ctx: TurnContext, issuer: string): Record<string, string> | undefined {
  const { principal } = ctx.request;
  if (principal.kind !== 'jwt' && principal.kind !== 'paired') return undefined;
  return {
    sub: principal.kind === 'jwt' ? principal.id.replace(/^jwt:/, '') : principal.id,
    // A paired token's revocation handle embeds its hash: recorded for JWTs only.
    ...(principal.kind === 'jwt' && principal.jti !== undefined ? { jti: principal.jti } : {}),
    scope: [...principal.scopes].sort().join(' '),
    ...(principal.kind === 'jwt' ? { iss: issuer } : {}),
  };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code: unknown = error.code;
    if (typeof code === 'string') return code;
  }
  return 'INTERNAL';
}
