import { databaseSchema, httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const ingressConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(databaseSchema.shape)
  .extend(httpPort(8080).shape)
  .extend({
    /** How long a sync call holds the connection before answering 504 with the request id to poll. */
    SYNC_TIMEOUT_MS: positiveInt(120_000),
    IDEMPOTENCY_TTL_S: positiveInt(86_400),
    STATUS_TTL_S: positiveInt(86_400),
    /** Authenticated keys are remembered this long, so a request costs no database round trip. */
    AUTH_CACHE_TTL_MS: positiveInt(30_000),
    BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/).default('2mb'),
  });
export type IngressConfig = z.infer<typeof ingressConfigSchema>;

export const loadIngressConfig = (): IngressConfig => loadConfig(ingressConfigSchema);
