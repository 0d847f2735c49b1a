import { Module, type DynamicModule } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import { Topics } from '@llm/contracts';
import { BandLagReader } from '@llm/kafka';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config/router.config';
import { DeploymentHealthConsumer } from './deployment-health.consumer';
import { RoutingData } from './routing-data';
import { RoutingConsumer } from './routing.consumer';
import { INFERENCE_BACKLOG, ROUTING_DATA } from './routing.tokens';
import { DeploymentHealthRepository } from './signals/deployment-health.repository';
import { InferenceBacklog } from './signals/inference-backlog';
import { RouteSignalsReader } from './signals/route-signals.reader';
import { PlanRouteUseCase } from './use-cases/plan-route/plan-route.use-case';
import { RecordOutcomeUseCase } from './use-cases/record-outcome/record-outcome.use-case';

const USE_CASES = [PlanRouteUseCase, RecordOutcomeUseCase];

@Module({})
export class RoutingModule {
  /** Catalog, policy and scorer are files the config names; they load (and fail boot when invalid) here. */
  static forRoot(options: { config: RouterConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: RoutingModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger }), ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger })],
      controllers: [RoutingConsumer, DeploymentHealthConsumer],
      providers: [
        { provide: ROUTER_CONFIG, useValue: config },
        { provide: ROUTING_DATA, inject: [LOGGER, MetricsRegistry], useFactory: (log: Logger, metrics: MetricsRegistry) => RoutingData.load(config, log, metrics) },
        {
          provide: INFERENCE_BACKLOG,
          inject: [LOGGER],
          useFactory: (log: Logger) =>
            new InferenceBacklog(
              new BandLagReader(
                { brokers: config.KAFKA_BROKERS, clientId: 'router-lag', logger: log, topicPrefix: config.KAFKA_TOPIC_PREFIX },
                Topics.inference,
                config.INFERENCE_GROUP_ID,
              ),
              config.INFERENCE_LAG_CACHE_MS,
              log,
            ),
        },
        { provide: BudgetStore, inject: [REDIS], useFactory: (redis: Redis) => new BudgetStore(redis) },
        { provide: ExactCacheReader, inject: [REDIS], useFactory: (redis: Redis) => new ExactCacheReader(redis, DEFAULT_CACHE_POLICY) },
        DeploymentHealthRepository,
        RouteSignalsReader,
        ...USE_CASES,
      ],
    };
  }
}
