import type { GatewayError } from '../errors.js';

/** An error as OpenAI's API writes it, so official SDKs raise their typed errors. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Statuses that differ from the registry's in OpenAI's convention. */
const OPENAI_STATUS: Partial<Record<string, number>> = {
  // OpenAI answers a policy refusal with 422 (SDK: UnprocessableEntityError).
  CONTENT_BLOCKED: 422,
  // The upstream model failed: a bad gateway, not a fault of this server.
  LLM_REQUEST_FAILED: 502,
};

/** OpenAI's error `type` for a status. */
function typeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/**
 * The status and `{"error":{message,type,param,code}}` body of a registry error in OpenAI's shape:
 * `code` is the registry code in lower case (`model_not_found`, `rate_limited`…), `param` the
 * request field at fault when the error names one.
 */
export function toOpenAiError(error: GatewayError): { status: number; body: OpenAiErrorBody } {
  const status = OPENAI_STATUS[error.code] ?? error.status;
  const param = error.extra.param;
  return {
    status,
    body: {
      error: {
        message: error.message,
        type: typeFor(status),
        param: typeof param === 'string' ? param : null,
        code: error.code.toLowerCase(),
      },
    },
  };
}
