// Guards on the test suite itself. uvu 0.5 runs `before` hooks inside a try/finally with no
// catch, so a hook that throws ends its file's tests as "(0 / N)" while the run still exits 0;
// `test.skip` and `test.only` leave tests unrun with nothing but a count on the summary line.
// None of these may appear in a test file: preconditions go inside the tests that need them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_DIR = fileURLToPath(new URL('.', import.meta.url));
const SELF = fileURLToPath(import.meta.url); // names the patterns, so not scanned

function* files(dir) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e === 'node_modules' || e === 'artifacts' || p === SELF) continue;
    if (statSync(p).isDirectory()) yield* files(p);
    else if (e.endsWith('.mjs') || e.endsWith('.js')) yield p;
  }
}

const FORBIDDEN = [
  [/\.before\b/, 'a before hook (its exception is swallowed)'],
  [/\.skip\b/, 'a skipped test'],
  [/\.only\b/, 'test.only (the other tests silently do not run)'],
];

test('no test file uses a before hook, test.skip or test.only', () => {
  const found = [];
  let scanned = 0;
  for (const f of files(TEST_DIR)) {
    scanned++;
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line)) return; // comments may name them
      for (const [re, what] of FORBIDDEN) if (re.test(line)) found.push(`${relative(TEST_DIR, f)}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  assert.ok(scanned >= 10, `only ${scanned} files scanned under ${TEST_DIR}`);
  assert.equal(found, []);
});

test('the guard catches what it is meant to catch', () => {
  const hits = (src) => FORBIDDEN.filter(([re]) => re.test(src)).length;
  assert.is(hits('test.before(async () => {})'), 1);
  assert.is(hits('test.before.each(() => {})'), 1);
  assert.is(hits("(ok ? test : test.skip)('x', () => {})"), 1);
  assert.is(hits("test.only('x', () => {})"), 1);
  assert.is(hits('test.after(() => {})'), 0);
});

test.run();
