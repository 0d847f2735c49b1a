/**
 * The second stage on borderline similarities: a small neural classifier over the two questions' embeddings
 * (the SBERT classification head: |u - v|, u * v and the cosine), learned from labelled pairs. Cosine alone
 * weighs every dimension the same; the head learns which differences decide "same question" (a different
 * language, product or number moves a few dimensions a lot). It reuses the vectors the cache already has, so a
 * borderline lookup costs one cached embedding of the candidate and ~25k multiply-adds. On QQP it moved the
 * operating point by less than the noise of the unseen pairs, so it is opt-in (ADR 0021).
 */

/** The serialised model (semantic-pair-classifier.json). Weights are little-endian float32 in base64. */
export interface PairClassifierModel {
  kind: 'embedding-pair-mlp-v1';
  /** The embedding model whose vectors it was trained on: any other model's vectors are meaningless to it. */
  embedding_model: string;
  dimensions: number;
  hidden: number;
  w1: string;
  b1: string;
  w2: string;
  b2: number;
}

/** Scales that put |u - v| and u * v of unit vectors (entries ~0.05) in a range the optimiser handles well. */
const DIFF_SCALE = 4;
const PRODUCT_SCALE = 16;

/** [|u - v| * 4 (dims), u * v * 16 (dims), cosine]: symmetric in u and v. */
export function pairVectorFeatures(similarity: number, u: Float32Array, v: Float32Array): Float32Array {
  const dims = u.length;
  const out = new Float32Array(2 * dims + 1);
  for (let d = 0; d < dims; d++) {
    out[d] = Math.abs(u[d]! - v[d]!) * DIFF_SCALE;
    out[dims + d] = u[d]! * v[d]! * PRODUCT_SCALE;
  }
  out[2 * dims] = similarity;
  return out;
}

const toBase64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromBase64(s: string, length: number, what: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.byteLength !== length * 4) throw new Error(`pair classifier: ${what} has ${bytes.byteLength / 4} weights, expected ${length}`);
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export class PairClassifier {
  private readonly inputs: number;

  private constructor(
    readonly embeddingModel: string,
    readonly dimensions: number,
    private readonly hidden: number,
    private readonly w1: Float32Array,
    private readonly b1: Float32Array,
    private readonly w2: Float32Array,
    private readonly b2: number,
  ) {
    this.inputs = 2 * dimensions + 1;
  }

  static fromModel(model: PairClassifierModel): PairClassifier {
    if (model.kind !== 'embedding-pair-mlp-v1') throw new Error(`pair classifier: unknown kind ${String(model.kind)}`);
    const inputs = 2 * model.dimensions + 1;
    return new PairClassifier(
      model.embedding_model,
      model.dimensions,
      model.hidden,
      fromBase64(model.w1, model.hidden * inputs, 'w1'),
      fromBase64(model.b1, model.hidden, 'b1'),
      fromBase64(model.w2, model.hidden, 'w2'),
      model.b2,
    );
  }

  /** Probability that the two questions ask the same thing. */
  probability(similarity: number, u: Float32Array, v: Float32Array): number {
    if (u.length !== this.dimensions || v.length !== this.dimensions) {
      throw new Error(`pair classifier: vectors of ${u.length}/${v.length} dimensions, trained on ${this.dimensions}`);
    }
    return this.score(pairVectorFeatures(similarity, u, v));
  }

  score(features: Float32Array): number {
    let z = this.b2;
    for (let j = 0; j < this.hidden; j++) {
      let a = this.b1[j]!;
      const row = j * this.inputs;
      for (let d = 0; d < this.inputs; d++) a += this.w1[row + d]! * features[d]!;
      if (a > 0) z += this.w2[j]! * a;
    }
    return 1 / (1 + Math.exp(-z));
  }
}

export interface TrainOptions {
  hidden?: number;
  epochs?: number;
  rate?: number;
  l2?: number;
  batch?: number;
  seed?: number;
}

/**
 * Fits the classifier (one ReLU layer, logistic output) by mini-batch Adam on (features, label) samples. Seeded,
 * so the same samples give the same model. A few thousand pairs train in well under a minute on one core.
 */
export function trainPairClassifier(
  samples: readonly { features: Float32Array; label: 0 | 1 }[],
  meta: { embeddingModel: string; dimensions: number },
  options: TrainOptions = {},
): PairClassifierModel {
  const { hidden = 32, epochs = 8, rate = 1e-3, l2 = 1e-4, batch = 64, seed = 1 } = options;
  const inputs = 2 * meta.dimensions + 1;
  let state = seed;
  // Park-Miller: deterministic, good enough for initialisation and shuffling.
  const uniform = () => (state = (state * 16_807) % 2_147_483_647) / 2_147_483_647;
  const centred = () => uniform() - 0.5;
  const w1 = Float32Array.from({ length: hidden * inputs }, () => centred() * 2 * Math.sqrt(2 / inputs));
  const b1 = new Float32Array(hidden);
  const w2 = Float32Array.from({ length: hidden }, () => centred() * 0.2);
  const b2 = new Float32Array(1);
  const params = [w1, b1, w2, b2];
  const decayed = [true, false, true, false];
  const m = params.map((p) => new Float32Array(p.length));
  const v = params.map((p) => new Float32Array(p.length));
  const grads = params.map((p) => new Float32Array(p.length));
  const h = new Float32Array(hidden);
  const order = samples.map((_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += batch) {
      grads.forEach((g) => g.fill(0));
      const [g1, gb1, g2, gb2] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
      const slice = order.slice(start, start + batch);
      for (const k of slice) {
        const { features: f, label } = samples[k]!;
        let z = b2[0]!;
        for (let j = 0; j < hidden; j++) {
          let a = b1[j]!;
          const row = j * inputs;
          for (let d = 0; d < inputs; d++) a += w1[row + d]! * f[d]!;
          h[j] = a > 0 ? a : 0;
          z += w2[j]! * h[j]!;
        }
        const error = 1 / (1 + Math.exp(-z)) - label;
        gb2[0]! += error;
        for (let j = 0; j < hidden; j++) {
          g2[j]! += error * h[j]!;
          if (h[j]! <= 0) continue;
          const gj = error * w2[j]!;
          gb1[j]! += gj;
          const row = j * inputs;
          for (let d = 0; d < inputs; d++) g1[row + d]! += gj * f[d]!;
        }
      }
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      params.forEach((p, q) => {
        const g = grads[q]!;
        for (let i = 0; i < p.length; i++) {
          const gradient = g[i]! / slice.length + (decayed[q] ? l2 * p[i]! : 0);
          m[q]![i] = 0.9 * m[q]![i]! + 0.1 * gradient;
          v[q]![i] = 0.999 * v[q]![i]! + 0.001 * gradient * gradient;
          p[i]! -= (rate * (m[q]![i]! / c1)) / (Math.sqrt(v[q]![i]! / c2) + 1e-8);
        }
      });
    }
  }
  return {
    kind: 'embedding-pair-mlp-v1',
    embedding_model: meta.embeddingModel,
    dimensions: meta.dimensions,
    hidden,
    w1: toBase64(w1),
    b1: toBase64(b1),
    w2: toBase64(w2),
    b2: b2[0]!,
  };
}
