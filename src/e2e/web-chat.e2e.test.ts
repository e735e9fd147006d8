import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WEB_CHAT_CSP } from '../server/routes/static.js';
import { CHROMIUM_PATH, launchBrowser } from '../test-support/browser.js';
import { buildCliIfStale, killAllCli } from '../test-support/gatehouse-process.js';
import { liveHome, startLiveGateway } from '../test-support/live-gateway.js';

/*
 * The real thing end to end: the built gateway as a child process, a real Chromium, the page
 * served at `/`, pairing with the printed code, and a streamed reply from the echo provider.
 */

const STATE = '[data-testid="connection-state"]';

/** The built gateway in its own home, with the CLI bound to the same home. */
interface GatewayProcess {
  baseUrl: string;
  pairingCode: string;
  /** Runs `gatehouse <args>` against the same home; its stdout. */
  runCli(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

async function startGatewayProcess(): Promise<GatewayProcess> {
  buildCliIfStale();
  const home = liveHome();
  const live = await startLiveGateway(home);
  return {
    baseUrl: live.url,
    pairingCode: await live.pairingCode(),
    runCli: async (args) => {
      const result = await live.cli(args);
      if (result.code !== 0)
        throw new Error(`gatehouse ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    },
    stop: async () => {
      await live.stop();
      await killAllCli();
      home.cleanup();
    },
  };
}
const DONE_REPLY = '[data-testid="message-assistant"][data-status="done"] [data-testid="bubble"]';

/** Records everything observable that could reveal a CSP violation, an error or a token leak. */
interface PageLog {
  console: string[];
  pageErrors: string[];
  urls: string[];
  framesReceived: string[];
}

function recordPage(page: Page): PageLog {
  const log: PageLog = { console: [], pageErrors: [], urls: [], framesReceived: [] };
  page.on('console', (message) => log.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => log.pageErrors.push(error.message));
  page.on('request', (request) => log.urls.push(request.url()));
  page.on('framenavigated', (frame) => log.urls.push(frame.url()));
  page.on('websocket', (socket) => {
    log.urls.push(socket.url());
    socket.on('framereceived', (frame) => log.framesReceived.push(String(frame.payload)));
  });
  return log;
}

interface ServerFrame {
  type: string;
  id?: string;
  delta?: string;
  response?: string;
}

describe('web chat in headless Chromium', () => {
  let gateway: GatewayProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    // Finds a system Chromium, or installs Debian's when running as root (minutes on a fresh machine).
    browser = await launchBrowser();
    gateway = await startGatewayProcess();
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gateway?.stop();
  }, 60_000);

  it('pairs with the printed code and shows the streamed echo reply', async () => {
    if (!browser || !gateway) throw new Error('setup failed');
    const { baseUrl, pairingCode } = gateway;
    context = await browser.newContext();
    // Runs before the page's own scripts and outside its CSP, so it sees every violation event.
    await context.addInitScript({
      content: `window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`,
    });
    const page = await context.newPage();
    const log = recordPage(page);

    const response = await page.goto(`${baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(WEB_CHAT_CSP);
    await expect.poll(() => page.getAttribute(STATE, 'data-state')).toBe('disconnected');
    expect(await page.isVisible('[data-testid="pair-panel"]')).toBe(true);

    await page.fill('[data-testid="pair-code"]', pairingCode);
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector(`${STATE}[data-state="connected"]`, { timeout: 20_000 });
    expect(await page.textContent('#connection-text')).toBe('connected');
    expect(await page.isVisible('[data-testid="chat-panel"]')).toBe(true);
    // The page named its device when pairing; the CLI shows that name.
    expect(await gateway.runCli(['tokens', 'list'])).toMatch(
      / {2}Web chat \(Chrome on Linux\) {2}paired: /,
    );

    const text = 'hello from chromium <b>not bold</b>';
    await page.fill('[data-testid="composer-input"]', text);
    await page.press('[data-testid="composer-input"]', 'Enter');
    const reply = page.locator(DONE_REPLY).first();
    await reply.waitFor({ timeout: 20_000 });
    expect(await reply.textContent()).toBe(`echo: ${text}`);
    // Rendered as text, never as markup.
    expect(await page.locator('[data-testid="messages"] b').count()).toBe(0);
    expect(await page.textContent('[data-testid="message-user"] [data-testid="bubble"]')).toBe(
      text,
    );

    // The reply arrived as chunk frames that add up to the final `done` response.
    const frames = log.framesReceived.map((payload) => JSON.parse(payload) as ServerFrame);
    const done = frames.find((frame) => frame.type === 'done');
    expect(done?.response).toBe(`echo: ${text}`);
    const chunks = frames.filter((frame) => frame.type === 'chunk' && frame.id === done?.id);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.map((frame) => frame.delta).join('')).toBe(done?.response);
    expect(frames[0]?.type).toBe('ready');

    // The token lives in sessionStorage only, and never in any URL the page touched.
    const token = await page.evaluate(() => sessionStorage.getItem('gatehouse.token'));
    expect(token).toMatch(/^gth_[0-9a-f]{64}$/);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(page.url()).toBe(`${baseUrl}/`);
    for (const url of log.urls) expect(url).not.toContain(String(token));
    expect(log.urls.some((url) => /\/ws\?ticket=/.test(url))).toBe(true);

    const readViolations = () =>
      page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
    expect(await readViolations()).toEqual([]);

    // A reload keeps the tab's token and reconnects with a fresh ticket.
    await page.reload();
    await page.waitForSelector(`${STATE}[data-state="connected"]`, { timeout: 20_000 });
    const tickets = log.urls.filter((url) => url.includes('/ws?ticket='));
    expect(new Set(tickets).size).toBe(tickets.length);
    expect(tickets.length).toBeGreaterThanOrEqual(2);

    await page.click('[data-testid="forget-token"]');
    await page.waitForSelector('[data-testid="pair-panel"]:not([hidden])');
    expect(await page.evaluate(() => sessionStorage.getItem('gatehouse.token'))).toBeNull();
    expect(await page.getAttribute(STATE, 'data-state')).toBe('disconnected');

    expect(await readViolations()).toEqual([]);
    expect(log.console.filter((line) => /content security policy/i.test(line))).toEqual([]);
    expect(log.console.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(log.pageErrors).toEqual([]);
  }, 120_000);

  it('connects with a pasted JWT and returns to pairing with a revoked notice when it is revoked', async () => {
    if (!browser || !gateway) throw new Error('setup failed');
    const created = await gateway.runCli([
      'token',
      'create',
      '--subject',
      'user:e2e',
      '--scope',
      'channels:web',
      '--expiry',
      '1h',
    ]);
    const jwt = /^token: (\S+)$/m.exec(created)?.[1];
    const jti = /^jti: (\S+)$/m.exec(created)?.[1];
    if (jwt === undefined || jti === undefined) throw new Error(`unexpected output: ${created}`);

    const revokedContext = await browser.newContext();
    try {
      const page = await revokedContext.newPage();
      const log = recordPage(page);
      await page.goto(`${gateway.baseUrl}/`);
      await page.fill('[data-testid="token-input"]', jwt);
      await page.click('[data-testid="token-submit"]');
      await page.waitForSelector(`${STATE}[data-state="connected"]`, { timeout: 20_000 });

      await gateway.runCli(['token', 'revoke', jti]);
      // Revocations reach a running gateway within 2 s; the live socket closes with 4001.
      await page.waitForSelector(`${STATE}[data-state="revoked"]`, { timeout: 20_000 });
      expect(await page.textContent('#connection-text')).toBe('revoked');
      expect(await page.isVisible('[data-testid="pair-panel"]')).toBe(true);
      expect(await page.textContent('[data-testid="pair-notice"]')).toMatch(/revoked.*pair again/i);
      expect(await page.evaluate(() => sessionStorage.getItem('gatehouse.token'))).toBeNull();
      for (const url of log.urls) expect(url).not.toContain(jwt);
      expect(log.console.filter((line) => /content security policy/i.test(line))).toEqual([]);
    } finally {
      await revokedContext.close();
    }
  }, 120_000);

  it('fails with an install hint, never skips, when Chromium is missing', async () => {
    await expect(launchBrowser({ executablePath: `${CHROMIUM_PATH}-missing` })).rejects.toThrow(
      /Chromium not found at .*chromium-missing.*apt-get install chromium/,
    );
  });
});
