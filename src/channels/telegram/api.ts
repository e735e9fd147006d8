import * as z from 'zod';
import type { TelegramConfig } from '../../config/schema.js';
import { isRetryablePlatformStatus, postJson } from '../post-json.js';
import { parseRetryAfter } from '../retry-after.js';
import { DeliveryError } from '../types.js';

const answerSchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});

export interface TelegramApiOptions {
  config: TelegramConfig;
  fetch: typeof fetch;
}

/**
 * Calls `{api_base_url}/bot{token}/{method}`. Failures become DeliveryErrors whose message never
 * contains the token (it is part of the URL, and Telegram echoes nothing secret in bodies).
 */
export async function callTelegramApi(
  options: TelegramApiOptions,
  method: string,
  body: unknown,
  signal: AbortSignal,
  timeoutMs?: number,
): Promise<unknown> {
  const { config } = options;
  const response = await postJson({
    fetch: options.fetch,
    url: `${config.api_base_url.replace(/\/+$/, '')}/bot${config.bot_token}/${method}`,
    body,
    signal,
    timeoutMs,
    secrets: [config.bot_token],
  });
  const answer = answerSchema.safeParse(response.body);
  if (response.status >= 200 && response.status < 300 && answer.success && answer.data.ok) {
    return answer.data.result;
  }
  const retryAfterSecs = answer.success ? answer.data.parameters?.retry_after : undefined;
  const code = answer.success ? (answer.data.error_code ?? response.status) : response.status;
  const description =
    answer.success && answer.data.description ? `: ${answer.data.description}` : '';
  throw new DeliveryError(
    `Telegram ${method} failed with ${code}${description}`.replaceAll(
      config.bot_token,
      '[REDACTED]',
    ),
    {
      retryable: isRetryablePlatformStatus(code) || isRetryablePlatformStatus(response.status),
      retryAfterMs:
        retryAfterSecs !== undefined
          ? retryAfterSecs * 1000
          : parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      status: response.status,
    },
  );
}
