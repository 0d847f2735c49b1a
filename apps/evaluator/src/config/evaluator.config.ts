import { adminSchema, httpPort, kafkaSchema, loadConfig, redisSchema, refuseDevAdminTokenInProduction, serviceSchema } from '@llm/config';
import type { z } from 'zod';

export const evaluatorConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8086).shape)
  .extend(adminSchema.shape)
  .refine(refuseDevAdminTokenInProduction, { path: ['ADMIN_TOKEN'], message: 'must be set to a secret of your own in production' });
export type EvaluatorConfig = z.infer<typeof evaluatorConfigSchema>;

/** The one DI token of the evaluator's parsed settings. */
export const EVALUATOR_CONFIG = Symbol('EVALUATOR_CONFIG');

export const loadEvaluatorConfig = (): EvaluatorConfig => loadConfig(evaluatorConfigSchema);
