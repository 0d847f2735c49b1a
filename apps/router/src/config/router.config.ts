import { httpPort, kafkaSchema, loadConfig, nonNegativeInt, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const routerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8083).shape)
  .extend({
    MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
    /** Policy settings and per-tenant overrides (infra/routing/policy.json); hot-reloaded like the catalog. */
    ROUTING_POLICY_PATH: z.string().min(1).default('infra/routing/policy.json'),
    /** Weights of the learned complexity scorer (written by `npm run bench:routing -- --write-model`). */
    COMPLEXITY_SCORER_PATH: z.string().min(1).default('infra/routing/complexity-scorer.json'),
    /** How often the catalog and policy files are checked for changes; 0 turns hot reload off. */
    CATALOG_RELOAD_MS: nonNegativeInt(1_000),
    /** Consumer group of the inference workers, whose backlog on llm.inference.v1 drives the load policy. */
    INFERENCE_GROUP_ID: z.string().min(1).default('inference-worker'),
    INFERENCE_LAG_CACHE_MS: positiveInt(2_000),
  });
export type RouterConfig = z.infer<typeof routerConfigSchema>;

/** The one DI token of the router's parsed settings. */
export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');

export const loadRouterConfig = (): RouterConfig => loadConfig(routerConfigSchema);
