import { DEFAULT_LOCAL_MODEL, DeterministicEmbedder, quantizeTokenStates, type Embedder, type TokenEmbedding } from '@llm/embeddings';
import type { PairToVerify, PairVerifier } from './pair-verifier';
import type { SemanticCacheRepository, SemanticCandidate } from './semantic-cache.repository';
import { INITIAL_VERSIONS } from './semantic-key';
import {
  CALIBRATED_SINGLE_THRESHOLD,
  CALIBRATED_WITH_ALIGNMENT,
  CALIBRATED_WITH_CLASSIFIER,
  SemanticMatcher,
  shippedPairClassifier,
  type PreparedLookup,
} from './semantic-matcher';

class RecordingVerifier implements PairVerifier {
  readonly name = 'recording';
  readonly asked: PairToVerify[] = [];
  constructor(
    private readonly answer: number,
    readonly needsTokens = false,
  ) {}
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

  it('with a verifier that aligns tokens, the lookup embeds the question with its token states and hands them on', async () => {
    const tokens = quantizeTokenStates([7, 8], Float32Array.of(1, 0, 0, 1), [0, 2], 2);
    const embedded: string[] = [];
    const tokenEmbedder: Embedder = {
      model: 'token-test',
      dimensions: 2,
      embed: () => Promise.reject(new Error('the lookup must take the vector from embedTokens')),
      embedTokens: async (texts): Promise<TokenEmbedding[]> => {
        embedded.push(...texts);
        return texts.map(() => ({ vector: Float32Array.of(1, 0), tokens }));
      },
    };
    const repository = { threshold: async () => undefined, versions: async () => INITIAL_VERSIONS } as unknown as SemanticCacheRepository;
    const verifier = new RecordingVerifier(0.9, true);
    const matcher = new SemanticMatcher(tokenEmbedder, repository, { SEMANTIC_CACHE_DECISION: 'alignment' }, verifier);
    expect(CALIBRATED_WITH_ALIGNMENT?.classifier).toBeDefined();
    expect(await matcher.policy('t', undefined)).toEqual(CALIBRATED_WITH_ALIGNMENT);
    const lookup = await matcher.prepare({ tenant_id: 't', feature: 'f', body: { model: 'auto', messages: [{ role: 'user', content: 'How do refunds work?' }] } });
    expect(embedded).toEqual(['how do refunds work']);
    expect(lookup?.tokens).toBe(tokens);
    await matcher.judge(candidate(0.8), lookup!, { threshold: 0.98, classifier: { low: 0.6, cutoff: 0.5 } });
    expect(verifier.asked[0]?.queryTokens).toBe(tokens);
  });
});
