import { databaseSchema, embeddingsSchema, httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, serviceSchema, vectorStoreSchema } from '@llm/config';
import { z } from 'zod';

export const retrieverConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(databaseSchema.shape)
  .extend(httpPort(8082).shape)
  .extend(embeddingsSchema.shape)
  .extend(vectorStoreSchema.shape)
  .extend({
    /** How long an API key's lookup is cached (the same setting as ingress; revocations drop it at once). */
    AUTH_CACHE_TTL_MS: positiveInt(30_000),
    /** Tokens the retrieved sources may take in the prompt together. */
    RAG_CONTEXT_TOKENS: positiveInt(2_000),
    /** A single source is trimmed to this many tokens. */
    RAG_CHUNK_TOKENS: positiveInt(500),
    /** Overrides the calibrated decline threshold (libs/rag rag-calibration.json): best dense cosine below it, no sources. */
    RAG_DECLINE_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  });
export type RetrieverConfig = z.infer<typeof retrieverConfigSchema>;

/** The one DI token of the retriever's parsed settings. */
export const RETRIEVER_CONFIG = Symbol('RETRIEVER_CONFIG');

export const loadRetrieverConfig = (): RetrieverConfig => loadConfig(retrieverConfigSchema);
