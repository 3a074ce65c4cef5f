#!/usr/bin/env node
// The smoke suite in headless Chromium, on the browser bundles served from localhost, and the
// example page (examples/web/): it must show a latency. Needs Debian's chromium (.ci/run installs
// it) and playwright-core. Prints each check and a closing 'N passed, N failed'; exits 1 on failure.
//   node test/smoke/browser.mjs
import { serve } from '../../examples/web/server.mjs';
import { launchChromium, runPage } from './chromium.mjs';

/** [label, query] — the asset bundle with both binaries, and the single-file bundle. */
const RUNS = [
  ['chromium browser-bundle auto', { module: '/dist/bundle/simdnet.browser.mjs', relaxed: 'auto', expect: 'relaxed' }],
  ['chromium browser-bundle off', { module: '/dist/bundle/simdnet.browser.mjs', relaxed: 'off', expect: 'baseline' }],
  ['chromium inline-bundle auto', { module: '/dist/bundle/simdnet.inline.mjs', relaxed: 'auto', expect: 'relaxed' }],
  ['chromium browser-bundle, page not cross-origin isolated (one thread)', { module: '/dist/bundle/simdnet.browser.mjs', relaxed: 'auto', expect: 'relaxed', coi: '0' }],
];

const server = await serve();
let browser;
let passed = 0, failed = 0;
try {
  browser = await launchChromium();
  console.log(`# ${browser.version()} at ${server.url}`);
  for (const [label, query] of RUNS) {
    console.log(`# ${label}`);
    const r = await runPage(browser, `${server.url}test/smoke/index.html?${new URLSearchParams(query)}`, {
      log: (l) => { if (l.startsWith('[page error]')) console.log(l); },
    });
    for (const l of r.lines) console.log(l);
    console.log(`smoke ${label}: ${r.passed} passed, ${r.failed} failed`);
    passed += r.passed; failed += r.failed;
  }

  console.log('# examples/web/ shows a latency');
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${server.url}examples/web/`);
    await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 120_000 });
    const state = await page.getAttribute('#result', 'data-state');
    const shown = await page.textContent('#latency');
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    if (state !== 'done' || !/^\d+(\.\d+)? ms$/.test(shown ?? '')) throw new Error(`page state ${state}, latency '${shown}': ${await page.textContent('#error')} ${errors.join('; ')}`);
    if (!isolated) throw new Error('the page is not cross-origin isolated: COOP/COEP headers missing');
    console.log(`ok   example page: mobilenet-v1 128x128 in ${shown} (${(await page.textContent('#status'))})`);
    passed++;
  } catch (e) {
    console.log(`FAIL example page\n     ${e.message}`);
    failed++;
  } finally {
    await page.close();
  }
} catch (e) {
  console.log(`FAIL chromium: ${e?.stack ?? e}`);
  failed++;
} finally {
  await browser?.close();
  await server.close();
}
console.log(`smoke chromium: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
