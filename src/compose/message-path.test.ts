import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyInPlace, planReload } from '../config/reload-plan.js';
import type { Config } from '../config/schema.js';
import { configSchema } from '../config/schema.js';
import type { DispatchRequest } from '../core/types.js';
import { NOOP_OBSERVER } from '../observability/observer.js';
import { createMemoryStateStore } from '../state/memory-store.js';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import { wireMessagePath } from './message-path.js';

/*
 * A reload swaps the whole turn path (providers, agents, routing, stages) for new turns while a
 * turn that already started finishes on the build it began with.
 */

let llm: FakeLlm;
let home: string;
beforeAll(async () => {
  llm = await startFakeOpenAI();
  home = mkdtempSync(join(tmpdir(), 'gatehouse-path-'));
});
afterAll(async () => {
  await llm.close();
  rmSync(home, { recursive: true, force: true });
});

function parse(input: Record<string, unknown>): Config {
  return configSchema.parse({ memory: { backend: 'none' }, ...input });
}

/** Applies the hot keys of `next` to `running`, as the reload hub does. */
function reloadInto(running: Config, next: Config): void {
  for (const key of planReload(running, next).hot) applyInPlace(running, next, key);
}

let seq = 0;
function request(text: string): DispatchRequest {
  seq += 1;
  return {
    message: {
      channel: 'api',
      senderId: 'paired:abc',
      conversationId: `api:${seq}`,
      text,
      messageId: `m${seq}`,
      replyTarget: 'http',
      receivedAt: Date.now(),
    },
    principal: { id: 'paired:abc', kind: 'paired', scopes: new Set(['channels:api']) },
    signal: new AbortController().signal,
  };
}

function wire(config: Config) {
  return wireMessagePath({
    config,
    home,
    store: createMemoryStateStore(),
    observer: NOOP_OBSERVER,
    logger: pino({ level: 'silent' }),
  });
}

describe('wireMessagePath rebuild', () => {
  it('routes new turns by the reloaded rules while a running turn finishes on its agent', async () => {
    const slowSection = { type: 'openai', base_url: llm.baseUrl, api_key: 'sk-test' };
    const config = parse({
      providers: { slow: slowSection },
      agents: { slow: { provider: 'slow', model: 'gpt-slow' } },
      routing: { rules: [{ agent: 'slow', text: 'route' }] },
    });
    const path = wire(config);
    expect(path.agents().map((agent) => agent.name)).toEqual(['default', 'slow']);
    llm.enqueue({ delayMs: 300, text: 'slow answer' });
    const inFlight = path.dispatch(request('route me'));
    await llm.waitForRequests(1);

    // The reload removes the agent and its provider and adds another agent behind echo.
    reloadInto(
      config,
      parse({
        agents: { quick: { provider: 'echo' } },
        routing: { rules: [{ agent: 'quick', text: 'route' }] },
      }),
    );
    path.rebuild();

    expect(await inFlight).toMatchObject({ response: 'slow answer', agent: 'slow' });
    expect(path.agents().map((agent) => agent.name)).toEqual(['default', 'quick']);
    expect(await path.dispatch(request('route me'))).toMatchObject({
      response: 'echo: route me',
      agent: 'quick',
    });
    expect(llm.requests).toHaveLength(1);
  });

  it('applies a content filter added to the pipeline to the next turn', async () => {
    const config = parse({});
    const path = wire(config);
    expect(await path.dispatch(request('say forbidden'))).toMatchObject({
      response: 'echo: say forbidden',
    });
    reloadInto(
      config,
      parse({ pipeline: { inbound: [{ name: 'content_filter', block_patterns: ['forbidden'] }] } }),
    );
    path.rebuild();
    await expect(path.dispatch(request('say forbidden'))).rejects.toMatchObject({
      code: 'CONTENT_BLOCKED',
    });
  });

  it('keeps the previous build when the reloaded config does not resolve', () => {
    const config = parse({});
    const path = wire(config);
    config.agents.broken = { provider: 'missing' };
    expect(() => path.rebuild()).toThrow(/agents\.broken\.provider/);
    expect(path.agents().map((agent) => agent.name)).toEqual(['default']);
  });
});
