import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedis, embeddingCacheKey, tokenStatesCacheKey, type Redis } from '@llm/redis';
import { quietLogger, testInfra } from '@llm/testing';
import { CachedEmbedder } from './cached.embedder';
import { cosine, type Embedder } from './embedder.port';
import { defaultLocalModelDir, OnnxSentenceEmbedder } from './onnx-sentence.embedder';
import { OpenAiEmbedder } from './openai.embedder';
import { tokenCosine, type TokenEmbedding } from './token-states';

/** Counts what reaches the wrapped embedder, to see the cache absorb repeats. */
class CountingEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  embedded: string[] = [];
  constructor(private readonly inner: Embedder) {
    this.model = `${inner.model}-${randomUUID().slice(0, 8)}`;
    this.dimensions = inner.dimensions;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.embedded.push(...texts);
    return this.inner.embed(texts);
  }
  async embedTokens(texts: readonly string[]): Promise<TokenEmbedding[]> {
    this.embedded.push(...texts);
    return this.inner.embedTokens!(texts);
  }
}

describe('embeddings (the installed local model, Redis)', () => {
  let model: OnnxSentenceEmbedder;
  let redis: Redis;

  beforeAll(async () => {
    model = await OnnxSentenceEmbedder.load({ dir: defaultLocalModelDir() });
    redis = createRedis(testInfra().REDIS_URL, quietLogger());
  });
  afterAll(async () => {
    await model?.close();
    redis?.disconnect();
  });

  it('runs the real sentence model: paraphrases are close, unrelated questions are not, batching changes nothing', async () => {
    expect(model.dimensions).toBe(384);
    const texts = ['what is your refund policy', 'how do refunds work', 'how do I bake sourdough bread'];
    const [refund, refunds, bread] = await model.embed(texts);
    expect(cosine(refund!, refunds!)).toBeGreaterThan(0.6);
    expect(cosine(refund!, bread!)).toBeLessThan(0.2);
    const [alone] = await model.embed([texts[2]!]);
    expect(cosine(alone!, bread!)).toBeCloseTo(1, 4);
  });

  it('caches embeddings in Redis by model and text: a repeated text is embedded once', async () => {
    const counting = new CountingEmbedder(model);
    const cached = new CachedEmbedder(counting, redis, 60);
    const first = await cached.embed(['alpha question', 'beta question', 'alpha question']);
    expect(counting.embedded).toEqual(['alpha question', 'beta question']);
    const second = await cached.embed(['beta question', 'gamma question']);
    expect(counting.embedded).toEqual(['alpha question', 'beta question', 'gamma question']);
    expect(cosine(second[0]!, first[1]!)).toBeCloseTo(1, 6);
    expect(cosine(first[0]!, first[2]!)).toBeCloseTo(1, 6);
    const keys = await redis.keys(embeddingCacheKey(counting.model, '0'.repeat(64)).replace(/0{64}$/, '*'));
    expect(keys).toHaveLength(3);
    await redis.del(...keys);
  });

  it('gives token states from the same run as the vector: one row per word piece, [CLS]/[SEP] dropped', async () => {
    const [withTokens] = await model.embedTokens(['how do refunds work']);
    const [plain] = await model.embed(['how do refunds work']);
    expect(cosine(withTokens!.vector, plain!)).toBeCloseTo(1, 5);
    const { tokens } = withTokens!;
    expect(tokens.dims).toBe(384);
    // how, do, ref, ##unds, work: no [CLS] (101) or [SEP] (102).
    expect(tokens.ids).toEqual([2129, 2079, 25416, 26698, 2147]);
    expect(tokens.values).toHaveLength(5 * 384);
    for (let i = 0; i < tokens.ids.length; i++) expect(tokenCosine(tokens, i, tokens, i)).toBeCloseTo(1, 2);
    // Contextual states: the same word piece in another question is close, an unrelated one is not.
    const [other] = await model.embedTokens(['refunds for annual plans']);
    const refunds = (t: typeof tokens) => t.ids.indexOf(tokens.ids[2]!);
    expect(tokenCosine(tokens, 2, other!.tokens, refunds(other!.tokens))).toBeGreaterThan(0.6);
  });

  it('caches token states in Redis beside the vector: a repeated text is embedded once, for either call', async () => {
    const counting = new CountingEmbedder(model);
    const cached = new CachedEmbedder(counting, redis, 60);
    const [first] = await cached.embedTokens!(['delta question']);
    const [again] = await cached.embedTokens!(['delta question']);
    const [vector] = await cached.embed(['delta question']);
    expect(counting.embedded).toEqual(['delta question']);
    expect(again!.tokens.ids).toEqual(first!.tokens.ids);
    expect(Array.from(again!.tokens.values)).toEqual(Array.from(first!.tokens.values));
    expect(cosine(vector!, first!.vector)).toBeCloseTo(1, 6);
    const hash = '0'.repeat(64);
    const keys = [
      ...(await redis.keys(embeddingCacheKey(counting.model, hash).replace(/0{64}$/, '*'))),
      ...(await redis.keys(tokenStatesCacheKey(counting.model, hash).replace(/0{64}$/, '*'))),
    ];
    expect(keys).toHaveLength(2);
    await redis.del(...keys);
  });

  describe('OpenAI-compatible endpoint', () => {
    let server: Server;
    let inputs: string[][] = [];
    beforeAll(async () => {
      // A local /v1/embeddings server answering in reverse index order, as a provider may.
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const { input } = JSON.parse(body) as { input: string[] };
          inputs.push(input);
          const data = input.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, 1, 0] })).reverse();
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ object: 'list', model: 'm', data, usage: { prompt_tokens: 1, total_tokens: 1 } }));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('batches, keeps input order and normalises', async () => {
      inputs = [];
      const port = (server.address() as AddressInfo).port;
      const embedder = new OpenAiEmbedder({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', model: 'm', dimensions: 3, maxBatch: 2 });
      const vectors = await embedder.embed(['a', 'bbb', 'cc']);
      expect(inputs).toEqual([['a', 'bbb'], ['cc']]);
      expect(vectors.map((v) => v[0]! / v[1]!)).toEqual([expect.closeTo(1, 5), expect.closeTo(3, 5), expect.closeTo(2, 5)]);
      expect(cosine(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 5);
    });
  });
});
