// The GPU memory replay (src/cost/gpu-memory.ts): PyTorch 0.4's caching allocator, the forward's
// allocation trace, and cuDNN's benchmark cache emptying it, each checked by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder } from '../dist/graph/index.js';
import { buildModel } from '../dist/models/index.js';
import { rebatch } from '../dist/cost/analyze.js';
import {
  CachingAllocator, pytorchMemoryEvents, replayForward, pytorchReservedBytes, HOLDS_EVERY_OUTPUT,
} from '../dist/cost/gpu-memory.js';

const MiB = 1 << 20;

test('allocator: small requests share 1 MiB segments, rounded to 512 bytes', () => {
  const a = new CachingAllocator();
  a.malloc('x', 1);
  a.malloc('y', 1000);
  assert.is(a.reservedBytes, MiB);
  assert.is(a.allocatedBytes, 512 + 1024);
  a.malloc('z', MiB);
  assert.is(a.reservedBytes, 2 * MiB, 'a full MiB does not fit beside x and y');
});

test('allocator: large segments rounded to 128 KiB; best fit; a large block splits only when the rest is over 1 MiB', () => {
  const a = new CachingAllocator();
  a.malloc('big', 3 * MiB + 1);
  assert.is(a.reservedBytes, 3 * MiB + 128 * 1024);
  a.malloc('four', 4 * MiB);
  a.malloc('eight', 8 * MiB);
  a.free('four');
  a.free('eight');
  const before = a.reservedBytes;
  a.malloc('three', 3 * MiB);
  assert.is(a.reservedBytes, before, 'served from the cache');
  assert.is(a.allocatedBytes, 3 * MiB + 128 * 1024 + 4 * MiB, 'the 4 MiB block, whole: 1 MiB is not worth a split');
  a.malloc('two', 2 * MiB);
  a.malloc('six', 6 * MiB);
  assert.is(a.reservedBytes, before, 'the 8 MiB block split into 2 + 6');
  a.malloc('more', 2 * MiB);
  assert.is(a.reservedBytes, before + 2 * MiB);
});

test('allocator: freed neighbours merge; emptyCache returns only wholly free segments', () => {
  const a = new CachingAllocator();
  a.malloc('a', 8 * MiB);
  a.free('a');
  a.malloc('b', 2 * MiB);
  a.malloc('c', 6 * MiB);
  a.free('b');
  a.emptyCache();
  assert.is(a.reservedBytes, 8 * MiB, 'c keeps its segment');
  a.free('c');
  a.malloc('d', 8 * MiB);
  assert.is(a.reservedBytes, 8 * MiB, 'b and c merged back into one 8 MiB block');
  a.free('d');
  a.emptyCache();
  assert.is(a.reservedBytes, 0);
});

test('allocator: bad sizes and ids are RangeErrors, and the allocator stays usable', () => {
  const a = new CachingAllocator();
  assert.throws(() => a.malloc('x', -1), (e) => e instanceof RangeError && /bytes/.test(e.message));
  assert.throws(() => a.malloc('x', NaN), RangeError);
  a.malloc('x', 10);
  assert.throws(() => a.malloc('x', 10), (e) => e instanceof RangeError && /already/.test(e.message));
  assert.throws(() => a.free('y'), (e) => e instanceof RangeError && /not allocated/.test(e.message));
  a.free('x');
  assert.is(a.allocatedBytes, 0);
});

// input 128x128x32 f32 = 2 MiB; two 1x1 convs keep 32 channels, so every map is 2 MiB
const twoConvs = () => {
  const b = new GraphBuilder('two-convs');
  const c1 = b.relu(b.conv2d(b.input([1, 128, 128, 32]), { outChannels: 32, kernel: 1 }, 'c1'), 'r1');
  return b.output(b.conv2d(c1, { outChannels: 32, kernel: 1 }, 'c2'));
};

test('forward trace: outputs allocated in order, relu in place, a tensor freed after its last consumer, the output kept', () => {
  const ev = pytorchMemoryEvents(twoConvs());
  assert.equal(ev.map((e) => e.kind === 'conv' ? 'conv' : `${e.kind} ${e.id}`), ['conv', 'alloc c1', 'conv', 'alloc c2', 'free c1']);
  assert.is(ev[1].bytes, 2 * MiB);
  // the benchmark cache's key is the convolution's shapes: the same layer at another batch is another key
  const ev2 = pytorchMemoryEvents(rebatch(twoConvs(), 2));
  assert.is.not(ev2[0].key, ev[0].key);
  assert.is(ev[2].key, ev[0].key, 'c1 and c2 have the same shapes: one search serves both');
});

test('reserved by a serving loop, by hand: input, c1 and two results (the last one and the one being made)', () => {
  // pass 1: input, c1, c2 each get a segment; pass 2 reuses two of them but must make its c2
  // while pass 1's result is still bound: four 2 MiB segments
  assert.is(pytorchReservedBytes(twoConvs()), 8 * MiB);
});

test('benchmark cache: a network whose shapes were searched keeps its high-water mark; the first of its shapes does not', () => {
  const g = rebatch(buildModel('vgg-11'), 16), gbn = rebatch(buildModel('vgg-11-bn'), 16);
  const run = (graphs) => {
    const searched = new Set();
    return graphs.map((x) => {
      const a = new CachingAllocator();
      replayForward(a, pytorchMemoryEvents(x), '', searched);
      return a.reservedBytes;
    });
  };
  const [first, after] = run([g, gbn]);
  assert.ok(after > 3 * first, `vgg-11-bn after vgg-11: ${after} vs ${first}`);
  // first of its shapes, it keeps less (what its last search leaves, and the segments a live
  // tensor split then pinned)
  const [alone] = run([gbn]);
  assert.ok(alone < 0.75 * after, `vgg-11-bn first of its shapes: ${alone} vs ${after} after vgg-11`);
  // without benchmark mode nothing is emptied: the whole high-water mark
  const a = new CachingAllocator();
  replayForward(a, pytorchMemoryEvents(g), '');
  assert.ok(a.reservedBytes > 3 * first);
});

test('ports that hold every output free nothing until forward returns', () => {
  for (const name of HOLDS_EVERY_OUTPUT) {
    const ev = pytorchMemoryEvents(buildModel(name));
    const firstFree = ev.findIndex((e) => e.kind === 'free' && !e.id.endsWith(':scratch'));
    const lastAlloc = ev.map((e) => e.kind).lastIndexOf('alloc');
    assert.ok(firstFree > lastAlloc, name);
  }
  const ev = pytorchMemoryEvents(buildModel('resnet-18'));
  const firstFree = ev.findIndex((e) => e.kind === 'free');
  assert.ok(firstFree < ev.map((e) => e.kind).lastIndexOf('alloc'), 'resnet-18 frees as it goes');
});

test.run();
