import { DEFAULT_LOCAL_MODEL, DeterministicEmbedder } from '@llm/embeddings';
import type { PairToVerify, PairVerifier } from './pair-verifier';
import type { SemanticCacheRepository, SemanticCandidate } from './semantic-cache.repository';
import { CALIBRATED_SINGLE_THRESHOLD, CALIBRATED_WITH_CLASSIFIER, SemanticMatcher, shippedPairClassifier, type PreparedLookup } from './semantic-matcher';

class RecordingVerifier implements PairVerifier {
  readonly name = 'recording';
  readonly asked: PairToVerify[] = [];
  constructor(private readonly answer: number) {}
  async probability(pair: PairToVerify): Promise<number> {
    this.asked.push(pair);
    return this.answer;
  }
}

/** The two repository reads the policy needs; tenant thresholds live in a map instead of Redis. */
const thresholds = (own: Record<string, number>) => ({ threshold: async (tenant: string) => own[tenant] }) as unknown as SemanticCacheRepository;

const prepared = (question: string): PreparedLookup => ({
  pending: { question, context: 'c', feature: '', collection: '' },
  entryId: 'e',
  vector: new Float32Array([1, 0]),
});
const candidate = (similarity: number): SemanticCandidate => ({ id: 'x', similarity, question: 'how do refunds work' });

describe('semantic matcher policy', () => {
  const embedder = new DeterministicEmbedder(8);
  const stage = CALIBRATED_WITH_CLASSIFIER;

  it('the classifier decision uses the classifier policy when a verifier exists, else the calibrated single threshold', async () => {
    const withVerifier = new SemanticMatcher(embedder, thresholds({}), { SEMANTIC_CACHE_DECISION: 'classifier' }, new RecordingVerifier(1));
    const without = new SemanticMatcher(embedder, thresholds({}), { SEMANTIC_CACHE_DECISION: 'classifier' });
    const single = new SemanticMatcher(embedder, thresholds({}), { SEMANTIC_CACHE_DECISION: 'threshold' }, new RecordingVerifier(1));
    expect(stage?.classifier).toBeDefined();
    expect(await withVerifier.policy('t', undefined)).toEqual(stage);
    expect(await without.policy('t', undefined)).toEqual(CALIBRATED_SINGLE_THRESHOLD);
    expect(await single.policy('t', undefined)).toEqual(CALIBRATED_SINGLE_THRESHOLD);
  });

  it('ships a classifier trained on the default local embedding model', () => {
    const classifier = shippedPairClassifier();
    expect([classifier.embeddingModel, classifier.dimensions]).toEqual([DEFAULT_LOCAL_MODEL.name, DEFAULT_LOCAL_MODEL.dimensions]);
  });

  it("a tenant's own threshold is a single threshold, with no second stage", async () => {
    const matcher = new SemanticMatcher(embedder, thresholds({ t: 0.85 }), { SEMANTIC_CACHE_DECISION: 'classifier' }, new RecordingVerifier(1));
    expect(await matcher.policy('t', 'f')).toEqual({ threshold: 0.85 });
  });

  it('asks the verifier only on a borderline similarity and follows its answer', async () => {
    const yes = new RecordingVerifier(0.99);
    const no = new RecordingVerifier(0.01);
    const policy = { threshold: 0.98, classifier: { low: 0.6, cutoff: 0.5 } };
    const accept = new SemanticMatcher(embedder, thresholds({}), { SEMANTIC_CACHE_DECISION: 'classifier' }, yes);
    const reject = new SemanticMatcher(embedder, thresholds({}), { SEMANTIC_CACHE_DECISION: 'classifier' }, no);
    expect((await accept.judge(candidate(0.99), prepared('how does a refund work'), policy)).verdict).toBe('hit');
    expect((await accept.judge(candidate(0.4), prepared('how does a refund work'), policy)).verdict).toBe('miss');
    expect(yes.asked).toHaveLength(0);
    expect(await accept.judge(candidate(0.8), prepared('how does a refund work'), policy)).toMatchObject({ verdict: 'verified', probability: 0.99 });
    expect(yes.asked[0]).toMatchObject({ similarity: 0.8, query: 'how does a refund work', candidate: 'how do refunds work' });
    expect((await reject.judge(candidate(0.8), prepared('how do i cancel'), policy)).verdict).toBe('rejected');
  });
});
