// Kernel threads: every step kind on 2 and 3 threads gives the same bits as on one thread (each
// kernel computes every output the same way in whatever share it falls), on random shapes that
// reach every split (rows / column panels, Winograd tiles / channels, row ranges, channel and
// item chunks) and their tails; zoo networks too. Then the pool's contract: failures are errors
// (no hang), runs afterwards still give the right bits on the calling thread, dispose() ends every
// worker, memory reserved stays near one thread's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GraphBuilder, buildModel, compile, randomWeights, features, init, Engine } from '../../dist/index.js';
import { mulberry32, randomArray } from '../reference/rng.mjs';

await init();
const THREADS_OK = features().threads;

function sameBits(got, want, label) {
  assert.is(got.length, want.length, `${label}: output length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.unreachable(`${label}: output ${i} is ${got[i]} threaded, ${want[i]} on one thread`);
  }
}

async function compare(graph, label, threadCounts = [2, 3], seed = 5) {
  const weights = randomWeights(graph, seed);
  const x = randomArray(mulberry32(seed), graph.nodes[0].outShape.reduce((a, b) => a * b, 1));
  const one = await compile(graph, { weights });
  const want = one.run(x);
  one.dispose();
  assert.ok(want.some((v) => v !== 0), `${label}: all-zero output proves nothing`);
  for (const t of threadCounts) {
    const net = await compile(graph, { weights, threads: t });
    try {
      assert.is(net.threads, t, `${label}: ${net.threadsReason}`);
      sameBits(net.run(x), want, `${label}, ${t} threads`);
      sameBits(net.run(x), want, `${label}, ${t} threads, second run`);
    } finally {
      net.dispose();
    }
  }
}

test('kernel threads are available in Node (else every test below would prove nothing)', () => {
  assert.ok(THREADS_OK, `features().threads is false: ${features().threadsReason}`);
  assert.ok(features().autoThreads >= 1);
});

// [label, build(b, x) -> y, input NHWC]
const rng = mulberry32(99);
const ri = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
const STEP_CASES = [];
for (let i = 0; i < 3; i++) {
  const c = ri(3, 21), o = ri(5, 70), h = ri(9, 31);
  STEP_CASES.push([`conv 1x1 stride 1 (M split) c${c} o${o} ${h}x${h}`, [1, h, h, c], (b, x) => b.conv2d(x, { outChannels: o, kernel: 1 })]);
  STEP_CASES.push([`conv 1x1 stride 2 c${c} o${o} ${h}x${h}`, [1, h, h, c], (b, x) => b.conv2d(x, { outChannels: o, kernel: 1, stride: 2 })]);
  STEP_CASES.push([`conv 3x3 stride 2 im2col c${c} o${o}`, [2, h, h, c], (b, x) => b.relu(b.conv2d(x, { outChannels: o, kernel: 3, stride: 2, padding: 1 }))]);
  STEP_CASES.push([`dw 3x3 s1/s2, generic 5x5 c${c} ${h}x${h}`, [1, h, h, c], (b, x) => b.dwconv(b.dwconv(b.dwconv(x, { kernel: 3, padding: 1 }), { kernel: 3, stride: 2, padding: 1 }), { kernel: 5, padding: 2, dilation: 2 })]);
}
STEP_CASES.push(['conv 1x1 on a 5x5 map, many channels (column-panel split, tail panel)', [1, 5, 5, 40], (b, x) => b.conv2d(x, { outChannels: 203, kernel: 1 })]);
STEP_CASES.push(['conv 3x3 on a 4x4 map (im2col by column panels)', [1, 4, 4, 12], (b, x) => b.conv2d(x, { outChannels: 77, kernel: 3, padding: 1, stride: 2 })]);
STEP_CASES.push(['grouped conv 3x3 (rows only)', [1, 13, 13, 16], (b, x) => b.conv2d(x, { outChannels: 24, kernel: 3, padding: 1, groups: 4 })]);
STEP_CASES.push(['Winograd F(4x4) by tiles, 30x30', [1, 30, 30, 9], (b, x) => b.conv2d(x, { outChannels: 13, kernel: 3, padding: 1 })]);
STEP_CASES.push(['Winograd F(2x2) by tiles, 17x17', [1, 17, 17, 6], (b, x) => b.conv2d(x, { outChannels: 11, kernel: 3, padding: 1 })]);
STEP_CASES.push(['Winograd on a 7x7 map, many channels (by channels)', [1, 7, 7, 64], (b, x) => b.conv2d(x, { outChannels: 100, kernel: 3, padding: 1 })]);
STEP_CASES.push(['1-D Winograd F(4,7) along W then H by tiles, 17x17', [1, 17, 17, 20], (b, x) => b.conv2d(b.conv2d(x, { outChannels: 24, kernel: [1, 7], padding: [0, 3] }), { outChannels: 19, kernel: [7, 1], padding: [3, 0] })]);
STEP_CASES.push(['1-D Winograd on a 4x4 map, many channels (by channels)', [1, 4, 4, 64], (b, x) => b.conv2d(x, { outChannels: 90, kernel: [7, 1], padding: [3, 0] })]);
STEP_CASES.push(['max / avg pool (ceil, pad, count_include_pad off), global pools', [1, 33, 33, 20], (b, x) => {
  const m = b.maxpool(x, { kernel: 3, stride: 2, ceil: true });
  const a = b.avgpool(m, { kernel: 3, stride: 1, padding: 1, countIncludePad: false });
  return b.add(b.globalAvgPool(a), b.globalMaxPool(a));
}]);
STEP_CASES.push(['global pools over many channels (channel split)', [1, 16, 16, 301], (b, x) => b.add(b.globalAvgPool(x), b.globalMaxPool(x))]);
STEP_CASES.push(['fc batch 1 (GEMV by panels) and batch 3 (GEMM), softmax', [3, 6, 6, 11], (b, x) => b.softmax(b.fc(b.relu(b.fc(b.flatten(x), { outFeatures: 67 })), { outFeatures: 1001 }))]);
STEP_CASES.push(['fc batch 1, odd width', [1, 4, 4, 9], (b, x) => b.fc(b.flatten(x), { outFeatures: 59 })]);
STEP_CASES.push(['elementwise: add, add+relu, relu6, clip, sigmoid, leaky relu, scale-shift, LRN', [1, 48, 48, 17], (b, x) => {
  const r6 = b.relu6(x);
  const s = b.sigmoid(b.clip(x, { min: -0.3, max: 0.4 }));
  const l = b.leakyRelu(b.add(r6, s), { alpha: 0.1 });
  const ss = b.scaleShift(l);
  return b.relu(b.add(b.lrn(ss, { size: 5 }), x));
}]);
STEP_CASES.push(['concat copies (graph input into a concat)', [1, 40, 40, 23], (b, x) => b.concat([x, b.conv2d(x, { outChannels: 9, kernel: 1 }), x])]);

for (const [label, shape, build] of STEP_CASES) {
  test(`${label}: 2 and 3 threads, same bits as 1`, async () => {
    const b = new GraphBuilder('t');
    const x = b.input(shape);
    await compare(b.output(build(b, x)), label);
  });
}

for (const [name, opts] of [['mobilenet-v1', { resolution: 128 }], ['resnet-18', { resolution: 64, batch: 2 }], ['mobilenet-v2', { resolution: 96 }],
  ['inception-v3', { resolution: 75 }], ['googlenet', { resolution: 64 }], ['vgg-11', { resolution: 32 }],
  ['squeezenet-1.1', { resolution: 64 }], ['densenet-121', { resolution: 64 }], ['resnext-50-32x4d', { resolution: 64 }], ['xception', { resolution: 71 }],
  ['se-resnet-50', { resolution: 64 }]]) {
  test(`${name} ${JSON.stringify(opts)}: 2 threads, same bits as 1`, async () => {
    await compare(buildModel(name, opts), name, [2]);
  });
}

test("threads: 'auto' takes the core count; bad values are TypeErrors naming the option", async () => {
  const g = buildModel('mobilenet-v1', { resolution: 128, alpha: 0.25 });
  const net = await compile(g, { threads: 'auto' });
  assert.is(net.threads, features().autoThreads);
  net.dispose();
  for (const bad of [0, 1.5, -2, 65, '2', null, NaN]) {
    try {
      await compile(g, { threads: bad });
      assert.unreachable(`threads ${String(bad)} accepted`);
    } catch (e) {
      assert.instance(e, TypeError);
      assert.match(e.message, /threads/);
    }
  }
});

test('two nets with different thread counts side by side', async () => {
  const g = buildModel('resnet-18', { resolution: 32 });
  const weights = randomWeights(g, 2);
  const x = randomArray(mulberry32(1), 32 * 32 * 3);
  const one = await compile(g, { weights });
  const want = one.run(x);
  const a = await compile(g, { weights, threads: 2 }), b = await compile(g, { weights, threads: 3 });
  for (let i = 0; i < 3; i++) { sameBits(a.run(x), want, 'a'); sameBits(b.run(x), want, 'b'); }
  one.dispose(); a.dispose(); b.dispose();
});

test('memory reserved with 2 threads stays within 1.5x of one thread (mobilenet-v1 224)', async () => {
  const g = buildModel('mobilenet-v1');
  const one = await compile(g), two = await compile(g, { threads: 2 });
  const ratio = two.reservedBytes / one.memoryBytes;
  assert.ok(ratio <= 1.5 && ratio >= 1, `reserved ${two.reservedBytes} vs ${one.memoryBytes} (${ratio.toFixed(2)}x)`);
  assert.ok(two.memoryBytes <= two.reservedBytes);
  one.dispose(); two.dispose();
});

test('a thread whose share fails: run throws naming it, no hang; later runs take every share here, same bits', async () => {
  const e = await Engine.createThreaded({ threads: 2, reserveBytes: 8 << 20 });
  try {
    const out = e.alloc(64);
    // thread 1 writes past the end of memory (a trap), thread 0 fills its half
    const bad = e.writeProgram([[['f32_clamp', 16, out, out, 0, 1]], [['f32_clamp', 16, 0x7ffffff0, 0x7ffffff0, 0, 1]]]);
    assert.throws(() => e.runProgram(bad), /kernel thread 1 failed/);
    assert.is(e.threads, 1);
    assert.match(e.threadFailure, /kernel thread 1/);
    const f = e.f32;
    for (let i = 0; i < 32; i++) f[(out >> 2) + i] = i - 10;
    const good = e.writeProgram([[['f32_clamp', 16, out, out, 0, 5]], [['f32_clamp', 16, out + 64, out + 64, 0, 5]]]);
    e.runProgram(good);
    const y = e.read(out, 32);
    for (let i = 0; i < 32; i++) assert.is(y[i], Math.min(5, Math.max(0, i - 10)));
  } finally {
    e.dispose();
  }
});

test('a net whose kernel threads stopped still runs, same bits, and says why', async () => {
  const g = buildModel('mobilenet-v1', { resolution: 128, alpha: 0.5 });
  const weights = randomWeights(g, 3);
  const x = randomArray(mulberry32(2), 128 * 128 * 3);
  const one = await compile(g, { weights });
  const want = one.run(x);
  const net = await compile(g, { weights, threads: 2 });
  // stop its pool the way a failed thread would
  const engine = Object.values(net).find((v) => v instanceof Engine);
  assert.ok(engine, 'the net holds its engine');
  const pool = Object.values(engine).find((v) => v && typeof v === 'object' && typeof v.run === 'function' && 'threads' in v);
  pool.fail('test: thread stopped');
  sameBits(net.run(x), want, 'after the threads stopped');
  assert.is(net.threads, 1);
  one.dispose(); net.dispose();
});

test('threads that cannot start: a clear error within the bound, nothing left running', async () => {
  const { ThreadPool } = await import('../../dist/wasm/pool.js');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const module = await WebAssembly.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const t0 = performance.now();
  try {
    await ThreadPool.start({
      module, memory, threads: 2, scratch: [0, 0], fns: ['f32_nothing'], exports: {}, url: new URL('./no-such-worker.js', import.meta.url), startTimeoutMs: 5000,
    });
    assert.unreachable('started');
  } catch (e) {
    assert.match(e.message, /kernel thread 1|did not start/);
  }
  assert.ok(performance.now() - t0 < 6000, 'bounded');
});

test('500 compile / run / dispose cycles with threads leave no worker alive, and the process exits by itself', () => {
  const script = `
    import { GraphBuilder, compile } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
    import { readFileSync } from 'node:fs';
    const threadsNow = () => Number(/Threads:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    const b = new GraphBuilder('tiny'); const x = b.input([1, 8, 8, 4]);
    const g = b.output(b.relu(b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 })));
    const warm = await compile(g, { threads: 2 }); warm.dispose();
    await new Promise((r) => setTimeout(r, 200));
    const before = threadsNow();
    for (let i = 0; i < 500; i++) {
      const net = await compile(g, { threads: 2, seed: i });
      if (net.threads !== 2) throw new Error('no threads: ' + net.threadsReason);
      net.run(new Float32Array(256));
      net.dispose();
    }
    await new Promise((r) => setTimeout(r, 500));
    console.log(JSON.stringify({ before, after: threadsNow(), rss: process.memoryUsage().rss }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 240_000 });
  assert.is(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(-1500)}`);
  const { before, after } = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.ok(after <= before + 1, `OS threads ${before} before, ${after} after 500 cycles`);
});

test.run();
