import * as z from 'zod';
import { GatewayError } from '../../errors.js';
import { parseJsonBytes } from '../../http/json-body.js';
import type { ChatMessage } from '../../providers/types.js';

const textPartSchema = z.object({ type: z.string(), text: z.string().optional() });

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(textPartSchema)]),
  name: z.string().optional(),
});

/*
 * Parameters this API does not implement (n, tools, top_p…) are ignored rather than refused:
 * chat front-ends send many of them by default. Everything that is read is validated.
 */
const chatBodySchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  user: z.string().max(256).nullish(),
});

/** A validated `POST /v1/chat/completions` request. */
export interface ChatCompletionRequest {
  /** The agent name the client asked for. */
  model: string;
  /** Every message before the last one (system and developer become `system`). */
  conversation: ChatMessage[];
  /** The last message, which must be the user's. */
  text: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  temperature?: number;
}

/** Parses the exact request bytes; a 400 in OpenAI's shape names the field (`param`) at fault. */
export function parseChatCompletionRequest(rawBody: Buffer): ChatCompletionRequest {
  const parsed = chatBodySchema.safeParse(parseJsonBytes(rawBody));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue === undefined ? 'body' : formatPath(issue.path);
    throw new GatewayError('INVALID_BODY', {
      message: `Invalid value for ${param}: ${issue?.message ?? 'invalid'}`,
      extra: { param },
      cause: parsed.error,
    });
  }
  const body = parsed.data;
  const messages = body.messages.map((message, index) => ({
    role: message.role === 'developer' ? ('system' as const) : message.role,
    content: contentText(message.content, index),
  }));
  const last = messages.at(-1);
  if (last === undefined || last.role !== 'user') {
    throw new GatewayError('INVALID_BODY', {
      message: 'The last message must have role "user"',
      extra: { param: 'messages' },
    });
  }
  if (last.content.trim() === '') {
    throw new GatewayError('INVALID_BODY', {
      message: 'The last user message must not be empty',
      extra: { param: `messages[${messages.length - 1}].content` },
    });
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  return {
    model: body.model,
    conversation: messages.slice(0, -1),
    text: last.content,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
  };
}

/** String content, or text parts joined; any other part type (image, audio, file) is refused. */
function contentText(
  content: string | Array<z.infer<typeof textPartSchema>>,
  index: number,
): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, partIndex) => {
      if (part.type !== 'text' || part.text === undefined) {
        throw new GatewayError('INVALID_BODY', {
          message: `Only text content parts are supported; got "${part.type.slice(0, 32)}"`,
          extra: { param: `messages[${index}].content[${partIndex}]` },
        });
      }
      return part.text;
    })
    .join('\n');
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}
