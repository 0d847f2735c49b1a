import { httpPort, kafkaSchema, loadConfig, redisSchema, serviceSchema } from '@llm/config';
import type { z } from 'zod';

export const retrieverConfigSchema = serviceSchema.extend(kafkaSchema.shape).extend(redisSchema.shape).extend(httpPort(8082).shape);
export type RetrieverConfig = z.infer<typeof retrieverConfigSchema>;

export const loadRetrieverConfig = (): RetrieverConfig => loadConfig(retrieverConfigSchema);
