import { readFileSync } from 'node:fs';
import { Module, type DynamicModule } from '@nestjs/common';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import type { Catalog } from '@llm/catalog';
import { DeploymentHealth } from '@llm/deployment-health';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { EventPublisher } from '@llm/kafka';
import { ResultPublisher, ResultStreamModule } from '@llm/result-stream';
import { AnswerCheck } from '@llm/routing-scorer';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import { countTokens } from '@llm/tokens';
import { INFERENCE_WORKER_CONFIG, type InferenceWorkerConfig } from '../config/inference-worker.config';
import { BatchPoller } from './batch-api/batch-poller';
import { BatchPollerLoop } from './batch-api/batch-poller.loop';
import { BatchSubmissionsRepository } from './batch-api/batch-submissions.repository';
import { BatchSubmitter } from './batch-api/batch-submitter';
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
          useFactory: (redis: Redis, metrics: MetricsRegistry) =>
            new InferencePolicies(config, new ExactCacheReader(redis, DEFAULT_CACHE_POLICY), metrics, Math.random, loadAnswerCheck(config.ANSWER_CHECK_PATH)),
        },
        { provide: CallOutbox, inject: [REDIS], useFactory: (redis: Redis) => new RedisCallOutbox(redis, config.INFERENCE_OUTBOX_TTL_S) },
        { provide: RequestLease, inject: [REDIS], useFactory: (redis: Redis) => new RedisRequestLease(redis) },
        ...(Object.values(catalog.providers).some((p) => p.batch_api === true) ? batchApiProviders(config) : []),
        ...USE_CASES,
      ],
    };
  }
}

/** The batch-api feature, only where the catalog has a provider with a batch API (else batch work runs realtime). */
function batchApiProviders(config: InferenceWorkerConfig) {
  return [
    {
      provide: BatchSubmissionsRepository,
      inject: [REDIS],
      useFactory: (redis: Redis) => new BatchSubmissionsRepository(redis, config.INFERENCE_OUTBOX_TTL_S),
    },
    {
      provide: BatchSubmitter,
      inject: [ProviderRegistry, CallOutbox, BatchSubmissionsRepository, LOGGER],
      useFactory: (registry: ProviderRegistry, outbox: CallOutbox, subs: BatchSubmissionsRepository, logger: Logger) =>
        new BatchSubmitter(registry, outbox, subs, { collectMs: config.INFERENCE_BATCH_COLLECT_MS, maxLines: config.INFERENCE_BATCH_MAX_LINES }, logger),
    },
    {
      provide: BatchPoller,
      inject: [ProviderRegistry, CallOutbox, BatchSubmissionsRepository, EventPublisher, ResultPublisher, LOGGER],
      useFactory: (registry: ProviderRegistry, outbox: CallOutbox, subs: BatchSubmissionsRepository, events: EventPublisher, results: ResultPublisher, logger: Logger) =>
        new BatchPoller(registry, outbox, subs, events, results, { recoverAfterMs: config.INFERENCE_BATCH_RECOVER_AFTER_MS, lockMs: 60_000 }, logger),
    },
    {
      provide: BatchPollerLoop,
      inject: [BatchPoller, BatchSubmitter, LOGGER],
      useFactory: (poller: BatchPoller, submitter: BatchSubmitter, logger: Logger) => new BatchPollerLoop(poller, submitter, config.INFERENCE_BATCH_POLL_MS, logger),
    },
  ];
}

/** A missing or invalid weights file fails boot: a plan that asks for the cascade would otherwise keep every answer. */
function loadAnswerCheck(path: string): AnswerCheck {
  try {
    return AnswerCheck.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new Error(`cannot load the answer-check from ${path} (ANSWER_CHECK_PATH): ${err instanceof Error ? err.message : String(err)}`);
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
