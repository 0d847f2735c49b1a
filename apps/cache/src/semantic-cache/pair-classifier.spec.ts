import { DeterministicEmbedder } from '@llm/embeddings';
import { PairClassifier, pairVectorFeatures, trainPairClassifier } from './pair-classifier';
import { EmbeddingPairVerifier } from './pair-verifier';
import { shippedPairClassifier } from './semantic-matcher';

const unit = (values: number[]): Float32Array => {
  const v = Float32Array.from(values);
  const norm = Math.hypot(...values);
  return v.map((x) => x / norm);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/**
 * A synthetic task the cosine cannot solve: pairs differing only in dimension 0 (the "decisive word") are not the
 * same question; pairs differing only in dimension 1 (wording) are, at the same cosine.
 */
function syntheticPairs(n: number): { u: Float32Array; v: Float32Array; label: 0 | 1 }[] {
  let state = 7;
  const noise = () => ((state = (state * 16_807) % 2_147_483_647) / 2_147_483_647 - 0.5) * 0.1;
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    const base = [1, 1, 1, 1].map((x) => x + noise());
    const moved = [...base];
    moved[label === 1 ? 1 : 0]! += 0.8;
    return { u: unit(base), v: unit(moved), label };
  });
}

describe('pair classifier', () => {
  it('features are symmetric in the two vectors and end with the similarity', () => {
    const u = unit([1, 2, 3]);
    const v = unit([3, 2, 1]);
    const f = pairVectorFeatures(0.7, u, v);
    expect(f).toHaveLength(7);
    expect(Array.from(pairVectorFeatures(0.7, v, u))).toEqual(Array.from(f));
    expect(f[6]).toBeCloseTo(0.7);
  });

  it('learns a decision the cosine alone cannot make, and serialises without loss', () => {
    const train = syntheticPairs(400);
    const model = trainPairClassifier(
      train.map(({ u, v, label }) => ({ features: pairVectorFeatures(dot(u, v), u, v), label })),
      { embeddingModel: 'synthetic', dimensions: 4 },
      { hidden: 8, epochs: 30, rate: 0.01 },
    );
    const classifier = PairClassifier.fromModel(JSON.parse(JSON.stringify(model)));
    const test = syntheticPairs(101).slice(1);
    const correct = test.filter(({ u, v, label }) => (classifier.probability(dot(u, v), u, v) >= 0.5 ? 1 : 0) === label).length;
    expect(correct / test.length).toBeGreaterThan(0.95);
  });

  it('training is reproducible for the same samples and seed', () => {
    const samples = syntheticPairs(50).map(({ u, v, label }) => ({ features: pairVectorFeatures(dot(u, v), u, v), label }));
    const meta = { embeddingModel: 'synthetic', dimensions: 4 };
    expect(trainPairClassifier(samples, meta, { epochs: 2 })).toEqual(trainPairClassifier(samples, meta, { epochs: 2 }));
  });

  it('refuses vectors of another size and weights of the wrong length', () => {
    const model = trainPairClassifier([{ features: pairVectorFeatures(1, unit([1, 0]), unit([1, 0])), label: 1 }], { embeddingModel: 'm', dimensions: 2 }, { epochs: 1 });
    const classifier = PairClassifier.fromModel(model);
    expect(() => classifier.probability(1, unit([1, 0, 0]), unit([1, 0, 0]))).toThrow(/dimensions/);
    expect(() => PairClassifier.fromModel({ ...model, hidden: 3 })).toThrow(/weights/);
  });

  it('the verifier embeds the candidate and is only built for the embedding model the classifier was trained on', async () => {
    const embedder = new DeterministicEmbedder(4);
    const samples = syntheticPairs(20).map(({ u, v, label }) => ({ features: pairVectorFeatures(dot(u, v), u, v), label }));
    const model = trainPairClassifier(samples, { embeddingModel: embedder.model, dimensions: 4 }, { epochs: 1 });
    const verifier = EmbeddingPairVerifier.create(embedder, PairClassifier.fromModel(model))!;
    const [query] = await embedder.embed(['refund policy']);
    const p = await verifier.probability({ similarity: 0.8, query: 'refund policy', queryVector: query!, candidate: 'refunds policy' });
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(embedder.calls).toBe(2);
    expect(EmbeddingPairVerifier.create(new DeterministicEmbedder(4), shippedPairClassifier())).toBeUndefined();
  });
});
