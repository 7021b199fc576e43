/**
 * Real Chromium for browser tests, driven by playwright-core (no browser download: the Debian
 * `chromium` binary). Flags keep it from contacting anything but the pages it is sent to.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireTool, whichTool } from './tools.js';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when chromium is installed; with CI=true a missing chromium throws (see requireTool). */
export function requireChromium(): boolean {
  return requireTool('chromium');
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = whichTool('chromium');
  if (!executablePath) throw new Error('chromium is not installed (guard the suite with requireChromium)');
  return chromium.launch({ executablePath, args: ARGS, headless: true });
}

/** Everything that went wrong on a page: console errors, uncaught exceptions, failed or 4xx/5xx requests. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  badResponses: string[];
  /** All of the above, for one assertion. */
  all(): string[];
}

/** Starts recording a page's problems; attach before the first navigation. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    badResponses: [],
    all() {
      return [...this.consoleErrors, ...this.pageErrors, ...this.failedRequests, ...this.badResponses];
    },
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.pageErrors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.failedRequests.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? '?'})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.badResponses.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}
