// Seeded random numbers for tests: the same seed gives the same tensors on every run and every
// runtime, so a failing case can be replayed from its seed alone.

/**
 * Mulberry32: a tiny 32-bit PRNG (Tommy Ettinger's public-domain generator). Good enough for
 * test data; not for anything statistical or cryptographic.
 * @param {number} seed any integer; only its low 32 bits are used
 * @returns {() => number} a generator of floats in [0, 1)
 */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One standard normal sample (mean 0, variance 1) by the Box-Muller transform.
 * @param {() => number} rng a generator of floats in [0, 1)
 * @returns {number}
 */
export function randn(rng) {
  const u1 = 1 - rng(); // in (0, 1], so the log is finite
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A Float32Array of n values drawn uniformly from [-scale, scale].
 * @param {() => number} rng a generator of floats in [0, 1)
 * @param {number} n number of elements
 * @param {number} [scale=1] half-width of the interval
 * @returns {Float32Array}
 */
export function randomArray(rng, n, scale = 1) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng() - 1) * scale;
  return out;
}

/**
 * One element of a non-empty array, chosen uniformly.
 * @template T
 * @param {() => number} rng a generator of floats in [0, 1)
 * @param {ArrayLike<T>} array
 * @returns {T}
 */
export function pick(rng, array) {
  if (array.length === 0) throw new RangeError('pick: empty array');
  return array[Math.floor(rng() * array.length)];
}

/**
 * An integer drawn uniformly from lo..hi, both ends included.
 * @param {() => number} rng a generator of floats in [0, 1)
 * @param {number} lo smallest value (integer)
 * @param {number} hi largest value (integer, >= lo)
 * @returns {number}
 */
export function randInt(rng, lo, hi) {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
    throw new RangeError(`randInt: need integers lo <= hi, got ${lo}, ${hi}`);
  }
  return lo + Math.floor(rng() * (hi - lo + 1));
}
