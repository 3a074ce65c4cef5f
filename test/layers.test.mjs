// The source tree's layering (scripts/check-layers.mjs): no import cycles, every import allowed
// by the layer table — and the check itself catches a violation and a cycle on a fixture tree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../scripts/check-layers.mjs';

test('src/ has no import cycles and no import against the layer order', () => {
  const r = check();
  assert.ok(r.files > 50, `checked ${r.files} files`);
  assert.equal(r.errors, []);
});

test('the check reports an upward import, a cycle and a computed import', () => {
  const src = mkdtempSync(join(tmpdir(), 'layers-'));
  const put = (p, text) => { mkdirSync(join(src, p, '..'), { recursive: true }); writeFileSync(join(src, p), text); };
  put('cost/a.ts', "import { x } from '../ops/b.js';\nexport const a = x;\n");
  put('ops/b.ts', 'export const x = 1;\n');
  put('graph/c.ts', "import { d } from './d.js';\nexport const c = d;\n");
  put('graph/d.ts', "import { c } from './c.js';\nexport const d = c;\n");
  put('lower/e.ts', "export const e = () => import(['../cost', 'a.js'].join('/'));\n");
  const r = check(src);
  assert.ok(r.errors.some((e) => /cost\/a\.ts \(cost\) imports ops\/b\.ts \(ops\)/.test(e)), r.errors.join('\n'));
  assert.ok(r.errors.some((e) => /^import cycle: graph\/(c|d)\.ts -> graph\/(d|c)\.ts -> graph\/(c|d)\.ts$/.test(e)), r.errors.join('\n'));
  assert.ok(r.errors.some((e) => /lower\/e\.ts: computed import/.test(e)), r.errors.join('\n'));
  assert.is(r.errors.length, 3);
});

test.run();
