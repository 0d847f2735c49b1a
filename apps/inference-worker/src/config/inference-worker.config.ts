import { httpPort, kafkaSchema, loadConfig, nonNegativeInt, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const inferenceWorkerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8084).shape)
  .extend({
    MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
    /** Per-request lease: renewed while a call runs; a crashed holder's lease lapses after this. */
    INFERENCE_LEASE_MS: positiveInt(15_000),
    /**
     * How long a worker that finds the request leased by another waits for that holder's outcome before it
     * hands the message back (a redelivery that keeps finding it busy would otherwise be dead-lettered early).
     */
    INFERENCE_LEASE_WAIT_MS: nonNegativeInt(120_000),
    /** How long a request's call outcomes stay in the outbox for a redelivery to republish. */
    INFERENCE_OUTBOX_TTL_S: positiveInt(86_400),
    /** Call limits for models whose catalog entry sets none. */
    INFERENCE_FIRST_TOKEN_TIMEOUT_MS: positiveInt(20_000),
    INFERENCE_IDLE_TIMEOUT_MS: positiveInt(15_000),
  })
  // Provider endpoints and keys are named by the catalog (base_url_setting, api_key_setting), so the set of
  // settings is open-ended: keep every other variable as a string for the provider registry to look up.
  .catchall(z.string());
export type InferenceWorkerConfig = z.infer<typeof inferenceWorkerConfigSchema>;

/** DI token of the parsed configuration: one typed object instead of one symbol per setting. */
export const INFERENCE_WORKER_CONFIG = Symbol('INFERENCE_WORKER_CONFIG');

export const loadInferenceWorkerConfig = (): InferenceWorkerConfig => loadConfig(inferenceWorkerConfigSchema);
