import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ObserverEvent } from '../observability/types.js';
import type { ChatRequest, Provider } from '../providers/types.js';
import { ProviderError } from '../providers/types.js';
import { agentTurn } from './agent-turn.js';
import { createDispatch } from './dispatch.js';
import { singleAgentRouter } from './router.js';
import type { AgentSpec, DispatchRequest, NamedStage } from './types.js';
import type { CancelSignal } from './cancel-signal.js';

const agent: AgentSpec = {
  name: 'default',
  provider: 'scripted',
  model: 'm-1',
  systemPrompt: 'Be brief.',
  temperature: 0.2,
  maxTokens: 64,
  historyWindow: 10,
};

/** A provider port implementation scripted per test (the wire clients have their own fake servers). */
function scriptedProvider(behaviour: {
  chat?: (request: ChatRequest, signal: CancelSignal) => Promise<string>;
  deltas?: string[];
}): Provider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    name: 'scripted',
    defaultModel: 'm-1',
    requests,
    async chat(request, signal) {
      requests.push(request);
      const text = behaviour.chat ? await behaviour.chat(request, signal) : 'ok';
      return { text, model: request.model, usage: { inputTokens: 3, outputTokens: 2 } };
    },
    async *stream(request) {
      requests.push(request);
      for (const delta of behaviour.deltas ?? []) yield delta;
    },
  };
}

function setup(provider: Provider, inbound: NamedStage[] = [], outbound: NamedStage[] = []) {
  const events: ObserverEvent[] = [];
  const dispatch = createDispatch({
    inbound,
    outbound,
    router: singleAgentRouter(agent),
    agent: agentTurn({
      providers: new Map([[provider.name, provider]]),
      observer: { record: (e) => events.push(e) },
    }),
  });
  return { dispatch, events };
}

function request(overrides: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    message: {
      channel: 'api',
      senderId: 'p1',
      conversationId: 'api:p1:s1',
      text: 'hello',
      messageId: 'm1',
      replyTarget: 'http',
      receivedAt: 0,
    },
    principal: { id: 'p1', kind: 'paired', scopes: new Set(['channels:api']) },
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('createDispatch', () => {
  it("uses a client-supplied conversation instead of history, and generation limits up to the agent's", async () => {
    const provider = scriptedProvider({ chat: async () => 'ok' });
    const history: NamedStage = {
      name: 'history',
      run: async (ctx, next) => {
        ctx.history = [{ role: 'user', content: 'stored turn' }];
        await next();
      },
    };
    const { dispatch } = setup(provider, [history]);
    await dispatch(
      request({
        conversation: [{ role: 'assistant', content: 'client turn' }],
        generation: { temperature: 1.5, maxTokens: 16 },
      }),
    );
    await dispatch(request({ conversation: [], generation: { maxTokens: 10_000 } }));
    expect(provider.requests.map((r) => [r.messages, r.temperature, r.maxTokens])).toEqual([
      [
        [
          { role: 'system', content: 'Be brief.' },
          { role: 'assistant', content: 'client turn' },
          { role: 'user', content: 'hello' },
        ],
        1.5,
        16,
      ],
      [
        [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello' },
        ],
        0.2,
        // Never above the agent's own max_tokens.
        64,
      ],
    ]);
  });

  it('sends system prompt, history and the message to the routed agent and returns its answer', async () => {
    const provider = scriptedProvider({ chat: async () => 'hi there' });
    const history: NamedStage = {
      name: 'history',
      run: async (ctx, next) => {
        ctx.history = [
          { role: 'user', content: 'earlier' },
          { role: 'assistant', content: 'reply' },
        ];
        await next();
      },
    };
    const { dispatch } = setup(provider, [history]);
    await expect(dispatch(request())).resolves.toEqual({
      agent: 'default',
      response: 'hi there',
      model: 'm-1',
      duplicate: false,
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    expect(provider.requests[0]).toEqual({
      model: 'm-1',
      temperature: 0.2,
      maxTokens: 64,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'reply' },
        { role: 'user', content: 'hello' },
      ],
    });
  });

  it('emits AgentStart, LlmRequest, LlmResponse and AgentEnd around a successful turn', async () => {
    const { dispatch, events } = setup(scriptedProvider({}));
    await dispatch(request());
    expect(events.map((event) => event.type)).toEqual([
      'AgentStart',
      'LlmRequest',
      'LlmResponse',
      'AgentEnd',
    ]);
    expect(events[2]).toMatchObject({ success: true, inputTokens: 3, outputTokens: 2 });
  });

  it('turns a provider failure into LLM_REQUEST_FAILED without upstream detail', async () => {
    const provider = scriptedProvider({
      chat: async () => {
        throw new ProviderError('openai API error 500: upstream exploded', { status: 500 });
      },
    });
    const { dispatch, events } = setup(provider);
    const failure = dispatch(request());
    await expect(failure).rejects.toMatchObject({
      code: 'LLM_REQUEST_FAILED',
      message: 'LLM request failed',
    });
    expect(events.map((event) => event.type)).toEqual([
      'AgentStart',
      'LlmRequest',
      'LlmResponse',
      'Error',
      'AgentEnd',
    ]);
    expect(events[2]).toMatchObject({
      success: false,
      errorMessage: 'openai API error 500: upstream exploded',
    });
  });

  it('streams deltas in order to onDelta and returns their concatenation', async () => {
    const deltas: string[] = [];
    const { dispatch } = setup(scriptedProvider({ deltas: ['He', 'llo', ' world'] }));
    const result = await dispatch(request({ onDelta: (delta) => deltas.push(delta) }));
    expect(deltas).toEqual(['He', 'llo', ' world']);
    expect(result.response).toBe('Hello world');
  });

  it('keeps the abort reason when the request signal aborts mid-call', async () => {
    const controller = new AbortController();
    const provider = scriptedProvider({
      chat: (_request, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () =>
            reject(new ProviderError('aborted', { aborted: true })),
          );
          controller.abort(new GatewayError('REQUEST_TIMEOUT'));
        }),
    });
    const { dispatch } = setup(provider);
    await expect(dispatch(request({ signal: controller.signal }))).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
    });
  });

  it('refuses to start a turn for an already aborted request', async () => {
    const provider = scriptedProvider({});
    const { dispatch } = setup(provider);
    const controller = new AbortController();
    controller.abort(new GatewayError('REQUEST_TIMEOUT'));
    await expect(dispatch(request({ signal: controller.signal }))).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
    });
    expect(provider.requests).toHaveLength(0);
  });

  it('runs outbound stages after the agent step with its result visible', async () => {
    let seen: string | undefined;
    const outbound: NamedStage = {
      name: 'inspect',
      run: async (ctx, next) => {
        await next();
        seen = ctx.result?.response;
      },
    };
    const { dispatch } = setup(scriptedProvider({ chat: async () => 'answer' }), [], [outbound]);
    await dispatch(request());
    expect(seen).toBe('answer');
  });
});
