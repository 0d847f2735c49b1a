import { Module, type DynamicModule } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import { DEFAULT_CACHE_POLICY, ExactCacheReader } from '@llm/cache-key';
import { Topics } from '@llm/contracts';
import { DeploymentHealth } from '@llm/deployment-health';
import { BandLagReader, kafkaSecurity } from '@llm/kafka';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config/router.config';
import { RoutingData } from './routing-data';
import { RoutingConsumer } from './routing.consumer';
import { INFERENCE_BACKLOG, ROUTING_DATA } from './routing.tokens';
import { InferenceBacklog } from './signals/inference-backlog';
import { RouteSignalsReader } from './signals/route-signals.reader';
import { PlanRouteUseCase } from './use-cases/plan-route/plan-route.use-case';

const USE_CASES = [PlanRouteUseCase];

@Module({})
export class RoutingModule {
  /** Catalog, policy and scorer are files the config names; they load (and fail boot when invalid) here. */
  static forRoot(options: { config: RouterConfig; logger: Logger }): DynamicModule {
    const { config, logger } = options;
    return {
      module: RoutingModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger }), ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger })],
      controllers: [RoutingConsumer],
      providers: [
        { provide: ROUTER_CONFIG, useValue: config },
        { provide: ROUTING_DATA, inject: [LOGGER, MetricsRegistry], useFactory: (log: Logger, metrics: MetricsRegistry) => RoutingData.load(config, log, metrics) },
        {
          provide: INFERENCE_BACKLOG,
          inject: [LOGGER],
          useFactory: (log: Logger) =>
            new InferenceBacklog(
              new BandLagReader(
                { ...kafkaSecurity(config), brokers: config.KAFKA_BROKERS, clientId: 'router-lag', logger: log, topicPrefix: config.KAFKA_TOPIC_PREFIX },
                { topic: Topics.inference, groupId: config.INFERENCE_GROUP_ID },
              ),
              config.INFERENCE_LAG_CACHE_MS,
              log,
            ),
        },
        { provide: BudgetStore, inject: [REDIS], useFactory: (redis: Redis) => new BudgetStore(redis) },
        { provide: ExactCacheReader, inject: [REDIS], useFactory: (redis: Redis) => new ExactCacheReader(redis, DEFAULT_CACHE_POLICY) },
        { provide: DeploymentHealth, inject: [REDIS], useFactory: (redis: Redis) => new DeploymentHealth(redis) },
        RouteSignalsReader,
        ...USE_CASES,
      ],
    };
  }
}
