import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's `chromium` package; `.ci/run` installs it when the machine lacks it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

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

export interface LaunchBrowserOptions {
  executablePath?: string;
}

/**
 * Launches headless Chromium with a fresh temporary profile. Throws, never skips, when the
 * browser is missing: a browser test that silently does nothing would hide a broken web chat.
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  try {
    accessSync(executablePath, constants.X_OK);
  } catch (error) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install Debian's package ` +
        '(apt-get install chromium) or run .ci/run, which installs it.',
      { cause: error },
    );
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: 60_000 });
}
