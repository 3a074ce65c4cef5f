// Comparing float32 results with the oracle.
//
// Why the dot-product bound: a float32 sum of K products, in any order and with or without FMA,
// is within about K·ε·Σ|terms| of the exact value (ε = 2^-23, the float32 machine epsilon;
// Higham, "Accuracy and Stability of Numerical Algorithms", §3.1). The oracle's `mag` is that
// Σ|terms| (plus |bias|); the factor 4 leaves room for the bias add, blocked summation orders
// and a fused activation, all of which add at most a few more roundings.

const EPS_F32 = 2 ** -23;

/**
 * The error thrown by assertClose. Named AssertionError so test runners (uvu, node:test) print
 * it as a failed assertion; `actual` and `expected` are the values at the first bad element.
 */
export class CloseError extends Error {
  /**
   * @param {string} message
   * @param {{ label: string, index: number, coords: number[] | null, actual: number,
   *           expected: number, bound: number, badCount: number }} details
   */
  constructor(message, details) {
    super(message);
    this.name = 'AssertionError';
    this.label = details.label;
    this.index = details.index;
    this.coords = details.coords;
    this.actual = details.actual;
    this.expected = details.expected;
    this.bound = details.bound;
    this.badCount = details.badCount;
  }
}

/**
 * Row-major coordinates of a flat index, e.g. [n, h, w, c] for an NHWC shape.
 * @param {number} index
 * @param {number[]} shape
 * @returns {number[]}
 */
function coordsOf(index, shape) {
  const coords = new Array(shape.length);
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return coords;
}

/**
 * @param {number} index
 * @param {number[] | undefined} shape
 */
function where(index, shape) {
  if (!shape) return `index ${index}`;
  const names = shape.length === 4 ? ' (NHWC)' : '';
  return `index ${index} = [${coordsOf(index, shape).join(', ')}] of shape [${shape.join(', ')}]${names}`;
}

/**
 * Check actual against expected element by element; throw a CloseError naming the first bad
 * element and the number of bad elements.
 *
 * - With `mag` (from gemm / conv2d / fc): |a − e| ≤ 4·K·2^-23·mag[i] + 1e-30, where K is the
 *   length of the dot product behind each output (conv: kh·kw·C/groups).
 * - Without `mag`: |a − e| ≤ rel·max(1, |e|).
 * Identical values always pass (so ±Infinity matches itself); NaN never passes.
 *
 * @param {ArrayLike<number>} actual
 * @param {ArrayLike<number>} expected
 * @param {{ mag?: ArrayLike<number>, K?: number, label?: string, rel?: number,
 *           shape?: number[] }} [options] shape, if given, turns indices into coordinates
 */
export function assertClose(actual, expected, options = {}) {
  const { mag, K, label = 'tensor', rel = 1e-6, shape } = options;
  if (actual.length !== expected.length) {
    throw new CloseError(`${label}: length ${actual.length} != expected length ${expected.length}`, {
      label, index: -1, coords: null, actual: actual.length, expected: expected.length, bound: 0, badCount: -1,
    });
  }
  if (mag) {
    if (mag.length !== expected.length) {
      throw new RangeError(`assertClose(${label}): mag has ${mag.length} elements, expected ${expected.length}`);
    }
    if (typeof K !== 'number' || !(K >= 0)) {
      throw new TypeError(`assertClose(${label}): a bound from mag needs K, the dot-product length`);
    }
  }
  if (shape && shape.reduce((p, d) => p * d, 1) !== expected.length) {
    throw new RangeError(`assertClose(${label}): shape [${shape}] does not hold ${expected.length} elements`);
  }

  /** @param {number} i */
  const boundAt = (i) =>
    mag ? 4 * /** @type {number} */ (K) * EPS_F32 * mag[i] + 1e-30 : rel * Math.max(1, Math.abs(expected[i]));

  let badCount = 0;
  let first = -1;
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e) continue;
    const diff = Math.abs(a - e);
    const bound = boundAt(i);
    if (diff <= bound) continue; // written this way round so that NaN counts as bad
    badCount++;
    if (first < 0) first = i;
    const ratio = Number.isNaN(diff) ? Infinity : diff / bound;
    if (worst < 0 || ratio > worstRatio) {
      worst = i;
      worstRatio = ratio;
    }
  }
  if (badCount === 0) return;

  const rule = mag ? `4·K·2^-23·mag + 1e-30 with K = ${K}` : `${rel}·max(1, |expected|)`;
  let message =
    `${label}: ${badCount} of ${expected.length} elements out of tolerance; ` +
    `first at ${where(first, shape)}: actual ${actual[first]}, expected ${expected[first]}, ` +
    `|diff| ${Math.abs(actual[first] - expected[first]).toPrecision(4)} > bound ${boundAt(first).toPrecision(4)} (${rule})`;
  if (worst !== first) {
    message +=
      `; worst at ${where(worst, shape)}: actual ${actual[worst]}, expected ${expected[worst]}, ` +
      `|diff| = ${worstRatio.toPrecision(3)} × bound`;
  }
  throw new CloseError(message, {
    label,
    index: first,
    coords: shape ? coordsOf(first, shape) : null,
    actual: actual[first],
    expected: expected[first],
    bound: boundAt(first),
    badCount,
  });
}

/**
 * The whole-network metric: max|a − e| / max|e|. NaN if any difference is NaN (so a
 * `relDiff(...) < tol` check fails), and Infinity if expected is all zeros but actual is not.
 * @param {ArrayLike<number>} actual
 * @param {ArrayLike<number>} expected
 * @returns {number}
 */
export function relDiff(actual, expected) {
  if (actual.length !== expected.length) {
    throw new RangeError(`relDiff: length ${actual.length} != expected length ${expected.length}`);
  }
  let maxDiff = 0;
  let maxExpected = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (Number.isNaN(diff)) return NaN;
    maxDiff = Math.max(maxDiff, diff);
    maxExpected = Math.max(maxExpected, Math.abs(expected[i]));
  }
  if (maxExpected === 0) return maxDiff === 0 ? 0 : Infinity;
  return maxDiff / maxExpected;
}
