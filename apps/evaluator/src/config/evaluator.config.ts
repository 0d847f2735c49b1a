import { httpPort, kafkaSchema, loadConfig, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

/** Works out of the box in development; refused in production so a deployment cannot run with it. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token-change-me';

export const evaluatorConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8086).shape)
  .extend({
    /** Bearer token guarding the evaluation read endpoints. */
    ADMIN_TOKEN: z.string().min(16).default(DEV_ADMIN_TOKEN),
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.ADMIN_TOKEN !== DEV_ADMIN_TOKEN, {
    path: ['ADMIN_TOKEN'],
    message: 'must be set to a secret of your own in production',
  });
export type EvaluatorConfig = z.infer<typeof evaluatorConfigSchema>;

export const loadEvaluatorConfig = (): EvaluatorConfig => loadConfig(evaluatorConfigSchema);
