import { chunks, cosine, normalize } from './embedder.port';
import { DeterministicEmbedder } from './deterministic.embedder';

describe('embedding helpers', () => {
  it('normalises to unit length so the dot product is the cosine', () => {
    const v = normalize(Float32Array.from([3, 4]));
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(cosine(v, v)).toBeCloseTo(1, 6);
  });

  it('splits batches', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('the deterministic test embedder is reproducible and lexical', async () => {
    const embedder = new DeterministicEmbedder();
    const [a, b, c] = await embedder.embed(['refund policy please', 'please refund policy', 'bake some bread']);
    expect(cosine(a!, b!)).toBeCloseTo(1, 5);
    expect(cosine(a!, c!)).toBeLessThan(0.5);
    expect(Array.from((await embedder.embed(['refund policy please']))[0]!)).toEqual(Array.from(a!));
  });
});
