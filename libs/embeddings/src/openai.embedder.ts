import OpenAI from 'openai';
import { chunks, normalize, type Embedder } from './embedder.port';
import { EmbeddingError } from './embeddings.errors';

export interface OpenAiEmbedderOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  dimensions: number;
  maxBatch?: number;
  timeoutMs?: number;
}

/** Any OpenAI-compatible `/v1/embeddings` endpoint (a catalog provider, a local embedding server). */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, timeout: options.timeoutMs ?? 10_000, maxRetries: 1 });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const batch of chunks(texts, this.options.maxBatch ?? 64)) {
      let data: { index: number; embedding: number[] }[];
      try {
        data = (await this.client.embeddings.create({ model: this.model, input: batch, encoding_format: 'float' })).data;
      } catch (error) {
        throw new EmbeddingError('EMBEDDING_FAILED', `embedding endpoint failed for model ${this.model}`, true, { cause: error });
      }
      const vectors = [...data].sort((a, b) => a.index - b.index).map((d) => normalize(Float32Array.from(d.embedding)));
      if (vectors.length !== batch.length || vectors.some((v) => v.length !== this.dimensions)) {
        throw new EmbeddingError('EMBEDDING_FAILED', `embedding endpoint returned ${vectors.length} vectors of the wrong shape for model ${this.model}`);
      }
      out.push(...vectors);
    }
    return out;
  }
}
