import type { VectorStoreConfig } from '@llm/config';
import { EmbeddedBackend } from './embedded.backend';
import { QdrantBackend } from './qdrant.backend';
import { VectorStore } from './vector-store.port';

export const embeddedVectorStore = (dir: string): VectorStore => new VectorStore(new EmbeddedBackend(dir));
export const qdrantVectorStore = (url: string, apiKey?: string): VectorStore => new VectorStore(new QdrantBackend(url, apiKey));

/** Qdrant when QDRANT_URL is set, else the embedded index persisted under VECTOR_INDEX_DIR. */
export function createVectorStore(config: VectorStoreConfig): VectorStore {
  return config.QDRANT_URL ? qdrantVectorStore(config.QDRANT_URL, config.QDRANT_API_KEY) : embeddedVectorStore(config.VECTOR_INDEX_DIR);
}
