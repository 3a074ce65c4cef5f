// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (apt-get install chromium)
// driven by playwright-core (no browser download). Override with SIMDNET_CHROMIUM=/path/to/chrome.
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SIMDNET_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Launches the browser; call browser.close() when done. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * Opens `url` in a new page, waits until the page sets `window[key]` (its result object), and
 * returns it; the page's console and errors are forwarded to `log`.
 */
export async function runPage(browser, url, { key = '__result', timeout = 300_000, log = () => {} } = {}) {
  const page = await browser.newPage();
  page.on('console', (m) => log(`[page] ${m.text()}`));
  page.on('pageerror', (e) => log(`[page error] ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction((k) => window[k] !== undefined, key, { timeout, polling: 100 });
    return await page.evaluate((k) => window[k], key);
  } finally {
    await page.close();
  }
}
