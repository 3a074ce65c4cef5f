// NumPy .npy files (format version 1.0 / 2.0, little-endian float32, C order): how Python users
// hand simdnet a tensor and compare its output with their framework's.

/** Reads a float32 .npy file's bytes. @throws RangeError for anything but a C-order <f4 array. */
export function readNpy(bytes: Uint8Array, what = 'npy file'): { shape: number[]; data: Float32Array } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw new RangeError(`${what}: not a .npy file (bad magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > bytes.length) throw new RangeError(`${what}: header runs past the end of the file`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') throw new RangeError(`${what}: dtype ${descr ?? '?'}; float32 ('<f4') is supported`);
  if (fortran !== 'False') throw new RangeError(`${what}: Fortran order; save with np.ascontiguousarray`);
  if (shapeText === undefined) throw new RangeError(`${what}: no shape in the header`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`${what}: bad shape (${shapeText})`);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = start + hlen;
  if (bytes.length - body !== 4 * n) throw new RangeError(`${what}: shape (${shape.join(', ')}) needs ${4 * n} bytes of data, the file has ${bytes.length - body}`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(body + 4 * i, true);
  return { shape, data };
}

/** A float32 .npy file (version 1.0) of `data` with `shape`. */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 4 * data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return out;
}
