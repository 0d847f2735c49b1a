import { DEFAULT_LOCAL_MODEL, quantizeTokenStates, type TokenStates } from '@llm/embeddings';
import { shippedTokenAlignment } from './semantic-matcher';
import { ALIGNMENT_FEATURES, alignmentFeatures, IdfTable, TokenAlignmentClassifier, trainTokenAlignment } from './token-alignment';

const DIMS = 16;
/** One basis-like vector per word piece id, so equal ids align at 1 and different ids near 0. */
function states(ids: number[]): TokenStates {
  const data = new Float32Array(ids.length * DIMS);
  ids.forEach((id, row) => {
    data[row * DIMS + (id % DIMS)] = 1;
    data[row * DIMS + ((id * 7 + 3) % DIMS)]! += 0.2;
  });
  return quantizeTokenStates(
    ids,
    data,
    ids.map((_, row) => row * DIMS),
    DIMS,
  );
}

const feature = (name: (typeof ALIGNMENT_FEATURES)[number], values: number[]) => values[ALIGNMENT_FEATURES.indexOf(name)]!;

describe('token alignment features', () => {
  const idf = IdfTable.fromDocuments([
    [1, 2, 3],
    [1, 2, 4],
    [1, 5],
  ]);

  it('IDF is higher for rarer word pieces and highest for unseen ones', () => {
    expect(idf.idf(1)).toBeLessThan(idf.idf(2));
    expect(idf.idf(2)).toBeLessThan(idf.idf(3));
    expect(idf.idf(999)).toBeGreaterThan(idf.idf(3));
    const decoded = IdfTable.decode(idf.encode());
    expect(decoded.idf(3)).toBeCloseTo(idf.idf(3), 10);
  });

  it('the same question aligns fully; one different content token shows as one unmatched token', () => {
    const same = alignmentFeatures(0.99, { text: 'how do i learn java', tokens: states([1, 2, 3, 9]) }, { text: 'how do i learn java', tokens: states([1, 2, 3, 9]) }, idf)!;
    expect(same).toHaveLength(ALIGNMENT_FEATURES.length);
    expect(feature('f1', same)).toBeCloseTo(1, 2);
    expect(feature('worst_token', same)).toBeCloseTo(1, 2);
    expect(feature('tokens_below_0.5', same)).toBe(0);
    expect(feature('content_jaccard', same)).toBe(1);
    const other = alignmentFeatures(0.9, { text: 'how do i learn java', tokens: states([1, 2, 3, 9]) }, { text: 'how do i learn python', tokens: states([1, 2, 3, 10]) }, idf)!;
    expect(feature('worst_token', other)).toBeLessThan(0.5);
    expect(feature('tokens_below_0.5', other)).toBe(2);
    expect(feature('worst_query_token_idf', other)).toBeGreaterThan(1);
    expect(feature('content_words_not_shared', other)).toBe(2);
  });

  it('numbers, negation and the question word are told apart', () => {
    const t = states([1, 2]);
    const f = alignmentFeatures(0.95, { text: 'why is 2019 not a good year', tokens: t }, { text: 'how is 2020 a good year', tokens: t }, idf)!;
    expect(feature('numbers_differ', f)).toBe(1);
    expect(feature('negation_differs', f)).toBe(1);
    expect(feature('question_word_differs', f)).toBe(1);
  });

  it('has nothing to align for a question without word pieces', () => {
    expect(alignmentFeatures(0.9, { text: '', tokens: states([]) }, { text: 'x', tokens: states([1]) }, idf)).toBeUndefined();
  });
});

describe('token alignment classifier', () => {
  it('learns from labelled pairs: duplicates score above pairs with an unmatched token', () => {
    const idf = IdfTable.fromDocuments([[1, 2, 3, 4, 5, 6, 7, 8]]);
    const pair = (a: number[], b: number[]) => alignmentFeatures(0.9, { text: 'q', tokens: states(a) }, { text: 'q', tokens: states(b) }, idf)!;
    const samples = Array.from({ length: 40 }, (_, i) => {
      const base = [1 + (i % 5), 2 + (i % 3), 9];
      return i % 2 === 0 ? { features: pair(base, base), label: 1 as const } : { features: pair(base, [...base.slice(0, 2), 10 + (i % 4)]), label: 0 as const };
    });
    const model = trainTokenAlignment(samples, { embeddingModel: 'test-model', idf }, { epochs: 300 });
    const classifier = TokenAlignmentClassifier.fromModel(model);
    expect(classifier.embeddingModel).toBe('test-model');
    expect(classifier.score(pair([1, 2, 9], [1, 2, 9]))).toBeGreaterThan(0.5);
    expect(classifier.score(pair([1, 2, 9], [1, 2, 12]))).toBeLessThan(0.5);
    expect(() => TokenAlignmentClassifier.fromModel({ ...model, features: model.features.slice(1) })).toThrow(/another feature set/);
  });

  it('the shipped model was trained on the default local model with the current feature set', () => {
    const shipped = shippedTokenAlignment();
    expect(shipped.embeddingModel).toBe(DEFAULT_LOCAL_MODEL.name);
    expect(shipped.idf.documents).toBeGreaterThan(1_000);
  });
});
