/**
 * Per-token output of a sentence encoder, before mean pooling: one vector per word piece, [CLS] and [SEP]
 * dropped. A second stage can align two questions token by token (which tokens of one have no counterpart in the
 * other) where the pooled vector only says how close they are on average. Rows are L2-normalised and stored as
 * int8 with one scale per row: a question of ~15 word pieces is ~6 kB, and a dot product of two dequantised rows
 * stays within ~0.01 of the float one.
 */
export interface TokenStates {
  /** Word-piece ids, in order. */
  ids: number[];
  dims: number;
  /** ids.length rows of `dims` int8 values. */
  values: Int8Array;
  /** One scale per row: value * scale is the unit-normalised component. */
  scales: Float32Array;
}

/** A question's pooled vector and its token states, from one model run. */
export interface TokenEmbedding {
  vector: Float32Array;
  tokens: TokenStates;
}

/** Quantises `rows` hidden states of width `dims` (taken from `data` at the given row offsets). */
export function quantizeTokenStates(ids: readonly number[], data: Float32Array, rowOffsets: readonly number[], dims: number): TokenStates {
  const values = new Int8Array(ids.length * dims);
  const scales = new Float32Array(ids.length);
  rowOffsets.forEach((offset, row) => {
    let norm = 0;
    let max = 0;
    for (let d = 0; d < dims; d++) {
      const x = data[offset + d]!;
      norm += x * x;
      max = Math.max(max, Math.abs(x));
    }
    norm = Math.sqrt(norm);
    if (norm === 0 || max === 0) return;
    const scale = max / norm / 127;
    scales[row] = scale;
    for (let d = 0; d < dims; d++) values[row * dims + d] = Math.round(data[offset + d]! / norm / scale);
  });
  return { ids: [...ids], dims, values, scales };
}

/** Cosine of row i of `a` and row j of `b`. */
export function tokenCosine(a: TokenStates, i: number, b: TokenStates, j: number): number {
  const dims = a.dims;
  const oa = i * dims;
  const ob = j * dims;
  let dot = 0;
  for (let d = 0; d < dims; d++) dot += a.values[oa + d]! * b.values[ob + d]!;
  return dot * a.scales[i]! * b.scales[j]!;
}

/** Compact binary form for Redis or a JSON payload: [u16 count][u16 dims][count x i32 ids][count x f32 scales][count*dims x i8]. */
export function encodeTokenStates(states: TokenStates): Buffer {
  const n = states.ids.length;
  const out = Buffer.alloc(4 + n * 8 + n * states.dims);
  out.writeUInt16LE(n, 0);
  out.writeUInt16LE(states.dims, 2);
  states.ids.forEach((id, i) => out.writeInt32LE(id, 4 + i * 4));
  states.scales.forEach((s, i) => out.writeFloatLE(s, 4 + n * 4 + i * 4));
  Buffer.from(states.values.buffer, states.values.byteOffset, states.values.byteLength).copy(out, 4 + n * 8);
  return out;
}

/** Undefined when the bytes are not a complete encoding (a truncated or foreign value). */
export function decodeTokenStates(raw: Buffer): TokenStates | undefined {
  if (raw.length < 4) return undefined;
  const n = raw.readUInt16LE(0);
  const dims = raw.readUInt16LE(2);
  if (dims === 0 || raw.length !== 4 + n * 8 + n * dims) return undefined;
  const ids = Array.from({ length: n }, (_, i) => raw.readInt32LE(4 + i * 4));
  const scales = Float32Array.from({ length: n }, (_, i) => raw.readFloatLE(4 + n * 4 + i * 4));
  const values = new Int8Array(n * dims);
  values.set(new Int8Array(raw.buffer, raw.byteOffset + 4 + n * 8, n * dims));
  return { ids, dims, values, scales };
}
