import { httpPort, kafkaSchema, loadConfig, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const routerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8083).shape)
  .extend({ MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json') });
export type RouterConfig = z.infer<typeof routerConfigSchema>;

/** The one DI token of the router's parsed settings. */
export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');

export const loadRouterConfig = (): RouterConfig => loadConfig(routerConfigSchema);
