import { cosine, defaultLocalModelDir, OnnxSentenceEmbedder } from '@llm/embeddings';
import { defaultPairVerifier } from './semantic-matcher';

describe('pair verifier (the installed local model + the shipped classifier)', () => {
  let model: OnnxSentenceEmbedder;

  beforeAll(async () => {
    model = await OnnxSentenceEmbedder.load({ dir: defaultLocalModelDir() });
  });
  afterAll(async () => {
    await model?.close();
  });

  const probability = async (query: string, candidate: string) => {
    const verifier = defaultPairVerifier(model)!;
    const [u, v] = await model.embed([query, candidate]);
    return verifier.probability({ similarity: cosine(u!, v!), query, queryVector: u!, candidate });
  };

  it('is built for the default model and rates a paraphrase above a question that differs in its decisive word', async () => {
    expect(defaultPairVerifier(model)).toBeDefined();
    const paraphrase = await probability('how do i get a refund for my order', 'how can i get my money back for an order');
    const different = await probability('how do i learn java', 'how do i learn python');
    expect(paraphrase).toBeGreaterThan(different);
    expect(different).toBeLessThan(0.5);
  });
});
