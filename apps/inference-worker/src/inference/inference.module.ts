import { Module, type DynamicModule } from '@nestjs/common';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import type { Catalog } from '@llm/catalog';
import { DeploymentHealth } from '@llm/deployment-health';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import { countTokens } from '@llm/tokens';
import { INFERENCE_WORKER_CONFIG, type InferenceWorkerConfig } from '../config/inference-worker.config';
import { ProviderCallRunner } from './calls/provider-call.runner';
import { InferenceConsumer } from './inference.consumer';
import { CallOutbox, RedisCallOutbox, RedisRequestLease, RequestLease } from './outbox/call-outbox';
import { OpenAiCompatibleAdapter } from './providers/openai-compatible.adapter';
import { ProviderRegistry } from './providers/provider-registry';
import { CircuitBreakers } from './resilience/circuit-breakers';
import { DeploymentLimiter } from './resilience/deployment-limiter';
import { GuardedCallRunner } from './resilience/guarded-call.runner';
import { InferencePolicies } from './resilience/inference-policies';
import { RunInferenceUseCase } from './use-cases/run-inference/run-inference.use-case';

const USE_CASES = [RunInferenceUseCase];

@Module({})
export class InferenceModule {
  static forRoot(options: { catalog: Catalog; config: InferenceWorkerConfig; logger: Logger }): DynamicModule {
    const { catalog, config } = options;
    return {
      module: InferenceModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger: options.logger }), ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger: options.logger })],
      controllers: [InferenceConsumer],
      providers: [
        { provide: INFERENCE_WORKER_CONFIG, useValue: config },
        { provide: ProviderRegistry, useFactory: () => new ProviderRegistry(catalog, config) },
        { provide: OpenAiCompatibleAdapter, inject: [ProviderRegistry], useFactory: (registry: ProviderRegistry) => new OpenAiCompatibleAdapter(registry) },
        {
          provide: ProviderCallRunner,
          inject: [OpenAiCompatibleAdapter],
          useFactory: (adapter: OpenAiCompatibleAdapter) => {
            // Loading a tokenizer's ranks blocks for about a second: at boot, not inside a time-limited call.
            for (const encoding of new Set(catalog.models.map((m) => m.tokenizer))) countTokens('warm up', encoding);
            return new ProviderCallRunner(adapter, {
              firstTokenMs: config.INFERENCE_FIRST_TOKEN_TIMEOUT_MS,
              idleMs: config.INFERENCE_IDLE_TIMEOUT_MS,
              encodings: new Map(catalog.models.map((m) => [m.id, m.tokenizer])),
            });
          },
        },
        {
          provide: GuardedCallRunner,
          inject: [ProviderCallRunner, REDIS, MetricsRegistry],
          useFactory: (runner: ProviderCallRunner, redis: Redis, metrics: MetricsRegistry) => {
            const limits = new Map(catalog.models.map((m) => [m.id, m.limits]));
            return new GuardedCallRunner(
              runner,
              new CircuitBreakers(breakerSettings(config), metrics),
              new DeploymentLimiter(redis, (target) => limits.get(target.model), {
                waitMs: config.INFERENCE_LIMIT_WAIT_MS,
                batchWaitMs: config.INFERENCE_BATCH_LIMIT_WAIT_MS,
                batchConcurrencyShare: config.INFERENCE_BATCH_CONCURRENCY_SHARE,
              }),
              { defaultOutputTokens: config.INFERENCE_TPM_DEFAULT_OUTPUT_TOKENS, cooldownMinRetryAfterS: config.INFERENCE_COOLDOWN_MIN_RETRY_AFTER_S },
              new DeploymentHealth(redis),
            );
          },
        },
        {
          provide: InferencePolicies,
          inject: [REDIS, MetricsRegistry],
          useFactory: (redis: Redis, metrics: MetricsRegistry) => new InferencePolicies(config, new ExactCacheReader(redis, DEFAULT_CACHE_POLICY), metrics),
        },
        { provide: CallOutbox, inject: [REDIS], useFactory: (redis: Redis) => new RedisCallOutbox(redis, config.INFERENCE_OUTBOX_TTL_S) },
        { provide: RequestLease, inject: [REDIS], useFactory: (redis: Redis) => new RedisRequestLease(redis) },
        ...USE_CASES,
      ],
    };
  }
}

export function breakerSettings(config: InferenceWorkerConfig) {
  return {
    threshold: config.INFERENCE_BREAKER_THRESHOLD,
    windowMs: config.INFERENCE_BREAKER_WINDOW_MS,
    minCalls: config.INFERENCE_BREAKER_MIN_CALLS,
    halfOpenMs: config.INFERENCE_BREAKER_HALF_OPEN_MS,
  };
}
