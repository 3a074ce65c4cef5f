// `simdnet report` with bad arguments: a clear message on stderr, nothing on stdout, exit code 1,
// and no measuring first (each case returns in well under a second of work).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/simdnet.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'simdnet-report-cli-'));

function report(args, spawnOpts = {}) {
  const r = spawnSync(process.execPath, [BIN, 'report', ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, ...spawnOpts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fails(args, re, spawnOpts) {
  const r = report(args, spawnOpts);
  assert.is(r.code, 1, `exit code for ${args.join(' ')}: ${r.stderr}`);
  assert.is(r.stdout, '');
  assert.match(r.stderr, re);
  assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
}

test('unknown model', () => {
  fails(['--models', 'mobilenet-v1,resnet-51'], /^simdnet: report: --models: unknown model "resnet-51"; known models: alexnet, .*mobilenet-v2, .*squeezenet-1.0, .*resnext-101-64x4d, xception, .*se-resnet-50, .*se-resnext-101-32x4d, .*senet-154\n$/);
});

test('empty --models', () => {
  fails(['--models', ''], /--models is empty; give a comma-separated list, e.g. --models mobilenet-v1,resnet-18/);
  fails(['--models=,'], /--models is empty/);
  fails(['--models'], /--models.*argument missing|Option '--models <value>' argument missing/);
});

test('unwritable output path', () => {
  fails(['--models', 'mobilenet-v1', '--out', join(dir, 'missing', 'report.html')], /cannot write .*missing\/report\.html: its directory does not exist/);
  fails(['--models', 'mobilenet-v1', '--out', dir], /it is a directory/);
  writeFileSync(join(dir, 'plain-file'), '');
  fails(['--models', 'mobilenet-v1', '--out', join(dir, 'plain-file', 'report.html')], /a parent is not a directory/);
  // Root writes through permission bits, so as root the CLI runs as nobody (65534) for this case.
  const ro = join(dir, 'ro');
  writeFileSync(ro, '');
  chmodSync(ro, 0o444);
  chmodSync(dir, 0o755);
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  fails(['--models', 'mobilenet-v1', '--out', ro], /permission denied/, asUser);
});

test('conflicting or unknown options', () => {
  fails(['--quick', '--full'], /--quick and --full exclude each other/);
  fails(['--runs', '3'], /Unknown option '--runs'.*usage: simdnet report/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
