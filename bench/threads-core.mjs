// The kernel-threads benchmark, shared by bench/threads.mjs (Node, Deno, Bun) and its Chromium
// page (bench/threads.html): the same network compiled with threads 1 and N, runs interleaved
// (1, N, 1, N, ...), batch 1; each engine's median, the median of the per-pair speed-ups, the
// output bits compared, the memory reserved; and the machine's parallel capacity at the time (the
// peak multiply-add probe on one thread vs on all N at once: N on idle cores; a busy neighbour on
// a shared machine shows as less), so a low speed-up can be told from a busy machine.

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function capacity(simdnet, threads) {
  const e = await simdnet.Engine.createThreaded({ threads, reserveBytes: 4 << 20 });
  try {
    const iters = 2_000_000;
    const one = e.writeProgram(Array.from({ length: threads }, (_, t) => (t === 0 ? [['f32_peak_muladd', iters]] : [])));
    const all = e.writeProgram(Array.from({ length: threads }, () => [['f32_peak_muladd', iters]]));
    e.runProgram(one); e.runProgram(all);
    const r = [];
    for (let i = 0; i < 5; i++) {
      let t = performance.now(); e.runProgram(one); const t1 = performance.now() - t;
      t = performance.now(); e.runProgram(all); const tn = performance.now() - t;
      r.push((threads * t1) / tn);
    }
    return median(r);
  } finally {
    e.dispose();
  }
}

/**
 * @param simdnet the package's module namespace
 * @param {{ threads: number, runs: number, resolution: number, models: string[] }} o
 * @param {(line: string) => void} log
 */
export async function runThreadsBench(simdnet, o, log = () => {}) {
  await simdnet.init();
  const f = simdnet.features();
  if (!f.threads) throw new Error(`no kernel threads here: ${f.threadsReason}`);
  const rows = [];
  const capacityBefore = await capacity(simdnet, o.threads);
  for (const name of o.models) {
    const g = simdnet.buildModel(name, { resolution: o.resolution });
    const a = await simdnet.compile(g, { seed: 7 });
    const b = await simdnet.compile(g, { seed: 7, threads: o.threads });
    try {
      if (b.threads !== o.threads) throw new Error(`${name}: asked for ${o.threads} threads, got ${b.threads} (${b.threadsReason})`);
      const x = new Float32Array(a.inputShape.reduce((p, q) => p * q, 1)).map((_, i) => Math.sin(i) * 0.5);
      const ya = a.run(x), yb = b.run(x);
      let same = ya.length === yb.length;
      for (let i = 0; same && i < ya.length; i++) same = Object.is(ya[i], yb[i]);
      for (let i = 0; i < 2; i++) { a.run(x); b.run(x); }
      const ta = [], tb = [], pair = [];
      for (let i = 0; i < o.runs; i++) {
        let t = performance.now(); a.run(x); const da = performance.now() - t;
        t = performance.now(); b.run(x); const db = performance.now() - t;
        ta.push(da); tb.push(db); pair.push(da / db);
      }
      const row = {
        model: name, resolution: o.resolution, threads: o.threads, ms1: median(ta), msN: median(tb),
        speedup: median(ta) / median(tb), pairSpeedup: median(pair), bitIdentical: same,
        reservedMiB: b.reservedBytes / 2 ** 20, singleMiB: a.memoryBytes / 2 ** 20,
      };
      rows.push(row);
      log(`${name.padEnd(14)} 1 thread ${row.ms1.toFixed(1).padStart(7)} ms  ${o.threads} threads ${row.msN.toFixed(1).padStart(7)} ms  ` +
        `speed-up ${row.speedup.toFixed(2)} (pairs ${row.pairSpeedup.toFixed(2)})  same bits: ${same}  ` +
        `memory reserved ${row.reservedMiB.toFixed(1)} MiB vs ${row.singleMiB.toFixed(1)} MiB on one thread`);
    } finally {
      a.dispose(); b.dispose();
    }
  }
  const capacityAfter = await capacity(simdnet, o.threads);
  log(`${f.binary} binary; parallel capacity (peak probe, ${o.threads} = ideal) ${capacityBefore.toFixed(2)} before, ${capacityAfter.toFixed(2)} after`);
  return { binary: f.binary, threads: o.threads, runs: o.runs, capacityBefore, capacityAfter, rows };
}
