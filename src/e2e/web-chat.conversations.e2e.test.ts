import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../test-support/browser.js';
import { startCuttableProxy } from '../test-support/cuttable-proxy.js';
import type { CuttableProxy } from '../test-support/cuttable-proxy.js';
import { startFakeLlm } from '../test-support/fake-llm.js';
import type { FakeLlm, FakeLlmRequest, FakeLlmScript } from '../test-support/fake-llm.js';
import { buildCliIfStale, killAllCli } from '../test-support/gatehouse-process.js';
import type { TempHome } from '../test-support/gatehouse-process.js';
import { liveHome, startLiveGateway } from '../test-support/live-gateway.js';
import type { LiveGateway } from '../test-support/live-gateway.js';

/*
 * The web chat's conversations end to end: the built gateway streaming a fake OpenAI-compatible
 * LLM's reply to a real Chromium, through a TCP proxy the test can cut. Covers reconnect-and-resume
 * (the connection dies mid-reply), reload-restores-transcript (and resumes the reply that was
 * streaming), and Markdown rendering of a reply full of XSS payloads.
 */

const STATE = '[data-testid="connection-state"]';
const ASSISTANT = '[data-testid="message-assistant"]';
const INPUT = '[data-testid="composer-input"]';

/** Plain words without Markdown syntax: the bubble's text is then the reply itself at any moment. */
function slowReply(label: string): string {
  return Array.from({ length: 60 }, (_, index) => `${label}${index + 1}`).join(' ') + ' end.';
}
const FIRST_REPLY = slowReply('alpha');
const SECOND_REPLY = slowReply('bravo');

const MARKDOWN_REPLY = [
  'Here is **bold**, *italic* and `inline <code>`.',
  '',
  '1. first item',
  '2. second with [a link](https://example.com/docs?a=1&b=2)',
  '',
  '- bullet <img src=x onerror=alert(1)>',
  '- <script>alert(2)</script>',
  '',
  '[click me](javascript:alert(3)) and <a href="javascript:alert(4)">raw</a>',
  '',
  '```html',
  '<script>alert(5)</script>',
  '```',
].join('\n');

function lastUserText(request: FakeLlmRequest): string {
  const body = request.body as { messages?: Array<{ role: string; content: unknown }> };
  const users = (body.messages ?? []).filter((message) => message.role === 'user');
  const content = users.at(-1)?.content;
  return typeof content === 'string' ? content : '';
}

/** What the fake LLM answers, chosen by the user's message. */
function scriptFor(request: FakeLlmRequest): FakeLlmScript {
  const text = lastUserText(request);
  if (text === 'first slow question') return { text: FIRST_REPLY, chunkDelayMs: 60 };
  if (text === 'second slow question') return { text: SECOND_REPLY, chunkDelayMs: 60 };
  if (text === 'show me markdown') return { text: MARKDOWN_REPLY, chunkDelayMs: 5 };
  return {};
}

interface SocketLog {
  url: string;
  received: Array<Record<string, unknown>>;
  sent: Array<Record<string, unknown>>;
}

/** Every WebSocket the page opened, with its frames; page errors and dialogs. */
interface PageLog {
  sockets: SocketLog[];
  pageErrors: string[];
  consoleErrors: string[];
  dialogs: string[];
  urls: string[];
}

function recordPage(page: Page): PageLog {
  const log: PageLog = { sockets: [], pageErrors: [], consoleErrors: [], dialogs: [], urls: [] };
  page.on('pageerror', (error) => log.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') log.consoleErrors.push(message.text());
  });
  page.on('request', (request) => log.urls.push(request.url()));
  page.on('dialog', (dialog) => {
    log.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('websocket', (socket) => {
    const entry: SocketLog = { url: socket.url(), received: [], sent: [] };
    log.sockets.push(entry);
    const parse = (payload: string | Buffer): Record<string, unknown> =>
      JSON.parse(String(payload)) as Record<string, unknown>;
    socket.on('framereceived', (frame) => entry.received.push(parse(frame.payload)));
    socket.on('framesent', (frame) => entry.sent.push(parse(frame.payload)));
  });
  return log;
}

/*
 * Runs before the page's scripts, outside its CSP: records every text the last assistant bubble
 * ever showed, so a repeated or missing chunk is caught while streaming, not only at the end.
 */
const BUBBLE_SAMPLER = `
  window.__bubbleTexts = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  new MutationObserver(() => {
    const bubbles = document.querySelectorAll('${ASSISTANT} [data-testid="bubble"]');
    const last = bubbles[bubbles.length - 1];
    if (last) window.__bubbleTexts.push(last.textContent);
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

async function bubbleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __bubbleTexts: string[] }).__bubbleTexts);
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

function chunksOf(
  sockets: readonly SocketLog[],
  id: string,
): Array<{ socket: number; seq: number; delta: string }> {
  return sockets.flatMap((socket, index) =>
    socket.received
      .filter((frame) => frame.type === 'chunk' && frame.id === id)
      .map((frame) => ({ socket: index, seq: Number(frame.seq), delta: String(frame.delta) })),
  );
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill(INPUT, text);
  await page.press(INPUT, 'Enter');
}

describe('web chat conversations in headless Chromium', () => {
  let llm: FakeLlm | undefined;
  let proxy: CuttableProxy | undefined;
  let home: TempHome | undefined;
  let gateway: LiveGateway | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let log: PageLog | undefined;
  let token = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    buildCliIfStale();
    llm = await startFakeLlm({ flavor: 'openai', defaultScript: scriptFor });
    proxy = await startCuttableProxy();
    // The page is served through the proxy, so its origin is the proxy's.
    home = liveHome({
      llmBaseUrl: llm.baseUrl,
      extra: `[channels_config.web]\nallowed_origins = ["${proxy.url}"]`,
    });
    gateway = await startLiveGateway(home);
    proxy.setTarget(Number(new URL(gateway.url).port));
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gateway?.stop();
    await killAllCli();
    await proxy?.close();
    await llm?.close();
    home?.cleanup();
  }, 60_000);

  it('resumes a reply after the connection is cut mid-stream, with no chunk missing or repeated', async () => {
    if (!browser || !gateway || !proxy || !llm) throw new Error('setup failed');
    context = await browser.newContext();
    await context.addInitScript({ content: BUBBLE_SAMPLER });
    page = await context.newPage();
    log = recordPage(page);
    await page.goto(`${proxy.url}/`);
    await page.fill('[data-testid="pair-code"]', await gateway.pairingCode());
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector(`${STATE}[data-state="connected"]`, { timeout: 20_000 });
    token = String(await page.evaluate(() => sessionStorage.getItem('gatehouse.token')));
    const conversation = await page.evaluate(() =>
      sessionStorage.getItem('gatehouse.conversation'),
    );
    expect(conversation).toMatch(/^[0-9a-f-]{36}$/);

    await send(page, 'first slow question');
    const bubble = page.locator(`${ASSISTANT} [data-testid="bubble"]`).last();
    // Mid-reply: some words shown, far from all of them.
    await expect
      .poll(async () => (await bubble.textContent())?.length ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(40);
    expect(await page.getAttribute(ASSISTANT, 'data-status')).toBe('streaming');
    const id = String(await page.getAttribute(ASSISTANT, 'data-id'));
    expect(proxy.cut()).toBeGreaterThan(0);

    await page.waitForSelector(`${ASSISTANT}[data-status="done"]`, { timeout: 30_000 });
    expect(await bubble.textContent()).toBe(FIRST_REPLY);
    // Every text the bubble ever showed was a prefix of the reply: nothing repeated, nothing skipped.
    const seen = await bubbleTexts(page);
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(FIRST_REPLY.startsWith(text)).toBe(true);
    expect(await page.locator('.msg-error').count()).toBe(0);

    // Two sockets: the second attached to the same conversation with ?conversation= and resumed
    // after the last chunk the first one delivered; each seq arrived exactly once.
    expect(log.sockets).toHaveLength(2);
    const [first, second] = log.sockets as [SocketLog, SocketLog];
    expect(new URL(second.url).searchParams.get('conversation')).toBe(conversation);
    expect(second.received.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'ready', conversation_id: conversation }),
      { type: 'attached', conversation_id: conversation },
    ]);
    const chunks = chunksOf(log.sockets, id);
    const lastSeenBeforeCut = Math.max(...chunks.filter((c) => c.socket === 0).map((c) => c.seq));
    expect(second.sent).toContainEqual({ type: 'resume', id, after_seq: lastSeenBeforeCut });
    expect(chunks.filter((c) => c.socket === 1).length).toBeGreaterThan(0);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, index) => index + 1));
    expect(chunks.map((c) => c.delta).join('')).toBe(FIRST_REPLY);
    expect(first.received.some((frame) => frame.type === 'done')).toBe(false);
    // No second LLM call: the turn kept running while the socket was gone.
    expect(
      llm.requests.filter((request) => lastUserText(request) === 'first slow question'),
    ).toHaveLength(1);
    expect(log.pageErrors).toEqual([]);
  }, 120_000);

  it('restores the transcript after a reload and resumes the reply that was streaming', async () => {
    if (!page || !log || !llm) throw new Error('the previous test did not run');
    await send(page, 'second slow question');
    const streaming = page.locator(`${ASSISTANT}[data-status="streaming"] [data-testid="bubble"]`);
    await expect
      .poll(async () => (await streaming.textContent())?.length ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(40);
    const id = String(await page.getAttribute(`${ASSISTANT}[data-status="streaming"]`, 'data-id'));
    expect(await page.evaluate(() => sessionStorage.getItem('gatehouse.pending'))).toBe(id);
    const socketsBefore = log.sockets.length;

    await page.reload();
    await page.waitForSelector(`${STATE}[data-state="connected"]`, { timeout: 20_000 });
    await page.waitForSelector(`${ASSISTANT}[data-id="${id}"][data-status="done"]`, {
      timeout: 30_000,
    });

    const transcript = await page.$$eval('[data-testid="messages"] > li', (items) =>
      items.map((item) => [
        item.getAttribute('data-role'),
        item.querySelector('[data-testid="bubble"]')?.textContent,
      ]),
    );
    expect(transcript).toEqual([
      ['user', 'first slow question'],
      ['assistant', FIRST_REPLY],
      ['user', 'second slow question'],
      ['assistant', SECOND_REPLY],
    ]);
    // After the reload: every text the resumed bubble showed was a prefix of its reply.
    for (const text of await bubbleTexts(page)) expect(SECOND_REPLY.startsWith(text)).toBe(true);

    const reloaded = log.sockets[socketsBefore];
    if (reloaded === undefined) throw new Error('no socket after the reload');
    expect(reloaded.sent.slice(0, 2)).toEqual([
      { type: 'history', limit: 200 },
      { type: 'resume', id, after_seq: 0 },
    ]);
    const resumed = chunksOf([reloaded], id);
    expect(resumed.map((c) => c.seq)).toEqual(resumed.map((_, index) => index + 1));
    expect(resumed.map((c) => c.delta).join('')).toBe(SECOND_REPLY);
    expect(
      llm.requests.filter((request) => lastUserText(request) === 'second slow question'),
    ).toHaveLength(1);
    expect(await page.evaluate(() => sessionStorage.getItem('gatehouse.pending'))).toBeNull();
    expect(await cspViolations(page)).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
  }, 120_000);

  it('renders a Markdown reply with DOM nodes only: XSS payloads stay text and only safe links are made', async () => {
    if (!browser || !proxy || token === '') throw new Error('the first test did not run');
    const markdownContext = await browser.newContext();
    try {
      await markdownContext.addInitScript({ content: BUBBLE_SAMPLER });
      const tab = await markdownContext.newPage();
      const tabLog = recordPage(tab);
      await tab.goto(`${proxy.url}/`);
      await tab.fill('[data-testid="token-input"]', token);
      await tab.click('[data-testid="token-submit"]');
      await tab.waitForSelector(`${STATE}[data-state="connected"]`, { timeout: 20_000 });
      await send(tab, 'show me markdown');
      await tab.waitForSelector(`${ASSISTANT}[data-status="done"]`, { timeout: 20_000 });
      const reply = tab.locator(`${ASSISTANT} [data-testid="bubble"]`);

      expect(await reply.locator('p > strong').textContent()).toBe('bold');
      expect(await reply.locator('p > em').textContent()).toBe('italic');
      expect(await reply.locator('p > code').textContent()).toBe('inline <code>');
      expect(await reply.locator('ol > li').allTextContents()).toEqual([
        'first item',
        'second with a link',
      ]);
      expect(await reply.locator('ul > li').allTextContents()).toEqual([
        'bullet <img src=x onerror=alert(1)>',
        '<script>alert(2)</script>',
      ]);
      const code = reply.locator('pre > code');
      expect(await code.textContent()).toBe('<script>alert(5)</script>');
      expect(await code.getAttribute('data-language')).toBe('html');

      // One link only, the https one, opened safely; the javascript: ones stay text.
      const links = reply.locator('a');
      expect(await links.count()).toBe(1);
      expect(await links.getAttribute('href')).toBe('https://example.com/docs?a=1&b=2');
      expect(await links.getAttribute('target')).toBe('_blank');
      expect(await links.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await links.textContent()).toBe('a link');
      expect(await reply.textContent()).toContain(
        '[click me](javascript:alert(3)) and <a href="javascript:alert(4)">raw</a>',
      );

      // Nothing in the reply became markup: no element the payloads name, no request for src=x.
      expect(await tab.locator('[data-testid="messages"] :is(img, script, iframe)').count()).toBe(
        0,
      );
      expect(tabLog.urls.filter((url) => new URL(url).pathname === '/x')).toEqual([]);
      expect(tabLog.dialogs).toEqual([]);
      expect(tabLog.pageErrors).toEqual([]);
      expect(await cspViolations(tab)).toEqual([]);
    } finally {
      await markdownContext.close();
    }
  }, 120_000);
});
