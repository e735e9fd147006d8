import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's `chromium` package: the browser the end-to-end test installs when it can. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where a system Chromium or Chrome usually lives, in the order they are tried. */
export const BROWSER_CANDIDATES: readonly string[] = [
  CHROMIUM_PATH,
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

/** Flags for a quiet, hermetic headless run: no GPU, no sandbox (containers), no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const BROWSER_INSTALL_HINT =
  'Install one: `sudo apt-get install chromium` (Debian/Ubuntu), or set GATEHOUSE_CHROMIUM to the ' +
  'path of a Chromium or Chrome binary. `npm test` installs Debian’s chromium by itself when run as root.';

/** What to do to get a browser, decided from what the machine has. */
export type BrowserPlan =
  { kind: 'use'; path: string } | { kind: 'install-debian' } | { kind: 'fail'; reason: string };

export interface BrowserFacts {
  /** GATEHOUSE_CHROMIUM, when set. */
  configured: string | undefined;
  /** The first executable among BROWSER_CANDIDATES, if any. */
  found: string | undefined;
  isRoot: boolean;
  hasAptGet: boolean;
  /** Whether a Debian install was already tried in this process. */
  installTried: boolean;
}

/**
 * Pure decision: an explicitly configured path wins (and must exist), then a system browser, then
 * an apt-get install when we are root; otherwise a failure that says how to install one.
 */
export function planBrowser(facts: BrowserFacts): BrowserPlan {
  if (facts.configured !== undefined) {
    return isExecutable(facts.configured)
      ? { kind: 'use', path: facts.configured }
      : { kind: 'fail', reason: `GATEHOUSE_CHROMIUM=${facts.configured} is not executable.` };
  }
  if (facts.found !== undefined) return { kind: 'use', path: facts.found };
  if (facts.installTried)
    return { kind: 'fail', reason: 'apt-get install chromium did not provide one.' };
  if (facts.isRoot && facts.hasAptGet) return { kind: 'install-debian' };
  return {
    kind: 'fail',
    reason: 'No Chromium or Chrome found and not root, so none was installed.',
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // ENOENT or EACCES: not usable as a browser.
    return false;
  }
}

function gatherFacts(env: NodeJS.ProcessEnv, installTried: boolean): BrowserFacts {
  const configured = env.GATEHOUSE_CHROMIUM === '' ? undefined : env.GATEHOUSE_CHROMIUM;
  return {
    configured,
    found: BROWSER_CANDIDATES.find(isExecutable),
    isRoot: process.getuid?.() === 0,
    hasAptGet: isExecutable('/usr/bin/apt-get'),
    installTried,
  };
}

function installDebianChromium(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, stdio: 'ignore' as const, timeout: 900_000 };
  execFileSync('apt-get', ['update', '-qq'], options);
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], options);
}

/**
 * The path of a usable browser, installing Debian's `chromium` when the machine has none and we
 * are root. Throws with install instructions otherwise; a browser test never skips silently.
 */
export function ensureBrowser(env: NodeJS.ProcessEnv = process.env): string {
  let installTried = false;
  for (;;) {
    const plan = planBrowser(gatherFacts(env, installTried));
    if (plan.kind === 'use') return plan.path;
    if (plan.kind === 'fail')
      throw new Error(`No browser for the end-to-end test. ${plan.reason} ${BROWSER_INSTALL_HINT}`);
    installTried = true;
    try {
      installDebianChromium();
    } catch (error) {
      throw new Error(`apt-get install chromium failed. ${BROWSER_INSTALL_HINT}`, { cause: error });
    }
  }
}

export interface LaunchBrowserOptions {
  /** A specific binary; without it, ensureBrowser() finds or installs one. */
  executablePath?: string;
}

/**
 * Launches headless Chromium with a fresh temporary profile. Throws, never skips, when the
 * browser is missing: a browser test that silently does nothing would hide a broken web chat.
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? ensureBrowser();
  if (!isExecutable(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}. ${BROWSER_INSTALL_HINT}`);
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: 60_000 });
}
