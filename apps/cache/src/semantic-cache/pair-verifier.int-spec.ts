import { cosine, defaultLocalModelDir, OnnxSentenceEmbedder } from '@llm/embeddings';
import { defaultPairVerifier, tokenAlignmentVerifier, verifierForDecision } from './semantic-matcher';

describe('pair verifiers (the installed local model + the shipped second stages)', () => {
  let model: OnnxSentenceEmbedder;

  beforeAll(async () => {
    model = await OnnxSentenceEmbedder.load({ dir: defaultLocalModelDir() });
  });
  afterAll(async () => {
    await model?.close();
  });

  const probability = async (which: 'classifier' | 'alignment', query: string, candidate: string, withQueryTokens = true) => {
    const verifier = which === 'classifier' ? defaultPairVerifier(model)! : tokenAlignmentVerifier(model)!;
    const [u, v] = await model.embedTokens([query, candidate]);
    return verifier.probability({ similarity: cosine(u!.vector, v!.vector), query, queryVector: u!.vector, ...(withQueryTokens ? { queryTokens: u!.tokens } : {}), candidate });
  };

  it.each(['classifier', 'alignment'] as const)('%s: built for the default model, rates a paraphrase above a question that differs in its decisive word', async (which) => {
    expect(verifierForDecision(model, which)?.name).toBe(which === 'classifier' ? 'embedding-pair-mlp' : 'token-alignment');
    const paraphrase = await probability(which, 'how do i get a refund for my order', 'how can i get a refund for an order');
    const different = await probability(which, 'how do i learn java', 'how do i learn python');
    expect(paraphrase).toBeGreaterThan(different);
    expect(different).toBeLessThan(0.5);
  });

  it('the alignment verifier embeds the query itself when the lookup did not keep its token states', async () => {
    const given = await probability('alignment', 'what is the capital of france', 'what is the capital city of france');
    const embedded = await probability('alignment', 'what is the capital of france', 'what is the capital city of france', false);
    expect(embedded).toBeCloseTo(given, 6);
  });

  it('the single threshold and the lexical verifier need no second-stage model', () => {
    expect(verifierForDecision(model, 'threshold')).toBeUndefined();
    expect(verifierForDecision(model, 'lexical')).toBeUndefined();
  });
});
