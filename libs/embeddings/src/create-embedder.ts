import type { EmbeddingsConfig } from '@llm/config';
import type { Redis } from '@llm/redis';
import { CachedEmbedder } from './cached.embedder';
import type { Embedder } from './embedder.port';
import { EmbeddingError } from './embeddings.errors';
import { defaultLocalModelDir, OnnxSentenceEmbedder } from './onnx-sentence.embedder';
import { OpenAiEmbedder } from './openai.embedder';

/** Builds the configured embedder, behind the Redis embedding cache when a client is given. */
export async function createEmbedder(config: EmbeddingsConfig, redis?: Redis): Promise<Embedder> {
  const inner = await createUncached(config);
  return redis ? new CachedEmbedder(inner, redis) : inner;
}

async function createUncached(config: EmbeddingsConfig): Promise<Embedder> {
  switch (config.EMBEDDINGS_PROVIDER) {
    case 'local':
      return OnnxSentenceEmbedder.load({ dir: config.EMBEDDINGS_MODEL_DIR ?? defaultLocalModelDir() });
    case 'openai':
      if (!config.EMBEDDINGS_BASE_URL || !config.EMBEDDINGS_MODEL) {
        throw new EmbeddingError('EMBEDDING_MODEL_MISSING', 'EMBEDDINGS_PROVIDER=openai needs EMBEDDINGS_BASE_URL and EMBEDDINGS_MODEL');
      }
      return new OpenAiEmbedder({
        baseURL: config.EMBEDDINGS_BASE_URL,
        apiKey: config.EMBEDDINGS_API_KEY,
        model: config.EMBEDDINGS_MODEL,
        dimensions: config.EMBEDDINGS_DIMENSIONS,
      });
  }
}
