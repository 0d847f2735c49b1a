import { httpPort, kafkaSchema, loadConfig, redisSchema, serviceSchema } from '@llm/config';
import type { z } from 'zod';

export const retrieverConfigSchema = serviceSchema.extend(kafkaSchema.shape).extend(redisSchema.shape).extend(httpPort(8082).shape);
export type RetrieverConfig = z.infer<typeof retrieverConfigSchema>;

/** The one DI token of the retriever's parsed settings. */
export const RETRIEVER_CONFIG = Symbol('RETRIEVER_CONFIG');

export const loadRetrieverConfig = (): RetrieverConfig => loadConfig(retrieverConfigSchema);
