import { DomainError } from '@llm/errors';

/** The embedding model could not run (files missing, provider down); callers treat it as a cache miss. */
export class EmbeddingError extends DomainError<'EMBEDDING_MODEL_MISSING' | 'EMBEDDING_FAILED'> {
  readonly kind = 'embeddings';
}
