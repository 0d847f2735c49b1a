import { httpPort, kafkaSchema, loadConfig, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const inferenceWorkerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8084).shape)
  .extend({ MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json') })
  // Provider endpoints and keys are named by the catalog (base_url_setting, api_key_setting), so the set of
  // settings is open-ended: keep every other variable as a string for the provider registry to look up.
  .catchall(z.string());
export type InferenceWorkerConfig = z.infer<typeof inferenceWorkerConfigSchema>;

export const loadInferenceWorkerConfig = (): InferenceWorkerConfig => loadConfig(inferenceWorkerConfigSchema);
