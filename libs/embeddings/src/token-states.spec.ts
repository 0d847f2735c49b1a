import { decodeTokenStates, encodeTokenStates, quantizeTokenStates, tokenCosine } from './token-states';

/** Rows of pseudo-random hidden states (not normalised, as an encoder emits them). */
function hidden(rows: number, dims: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: rows * dims }, () => {
    s = (s * 16_807) % 2_147_483_647;
    return (s / 2_147_483_647 - 0.5) * 6;
  });
}

const floatCosine = (a: Float32Array, i: number, b: Float32Array, j: number, dims: number) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < dims; d++) {
    dot += a[i * dims + d]! * b[j * dims + d]!;
    na += a[i * dims + d]! ** 2;
    nb += b[j * dims + d]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
};

describe('token states', () => {
  const dims = 384;
  const a = hidden(5, dims, 7);
  const b = hidden(4, dims, 11);
  const offsets = (n: number) => Array.from({ length: n }, (_, i) => i * dims);
  const qa = quantizeTokenStates([101, 7, 8, 9, 102], a, offsets(5), dims);
  const qb = quantizeTokenStates([5, 6, 7, 8], b, offsets(4), dims);

  it('int8 rows keep the cosine of the float rows within 0.01', () => {
    for (let i = 0; i < 5; i++) {
      expect(tokenCosine(qa, i, qa, i)).toBeCloseTo(1, 2);
      for (let j = 0; j < 4; j++) expect(Math.abs(tokenCosine(qa, i, qb, j) - floatCosine(a, i, b, j, dims))).toBeLessThan(0.01);
    }
  });

  it('encodes and decodes to the same states, and refuses truncated bytes', () => {
    const encoded = encodeTokenStates(qa);
    expect(encoded.length).toBe(4 + 5 * 8 + 5 * dims);
    const decoded = decodeTokenStates(encoded)!;
    expect(decoded.ids).toEqual(qa.ids);
    expect(Array.from(decoded.scales)).toEqual(Array.from(qa.scales));
    expect(Array.from(decoded.values)).toEqual(Array.from(qa.values));
    expect(decodeTokenStates(encoded.subarray(0, encoded.length - 1))).toBeUndefined();
    expect(decodeTokenStates(Buffer.alloc(2))).toBeUndefined();
  });
});
