import { Module, type DynamicModule } from '@nestjs/common';
import type { Catalog } from '@llm/catalog';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config/router.config';
import { RoutingConsumer } from './routing.consumer';
import { CATALOG } from './routing.tokens';
import { PlanRouteUseCase } from './use-cases/plan-route/plan-route.use-case';

const USE_CASES = [PlanRouteUseCase];

@Module({})
export class RoutingModule {
  /** The catalog is data loaded from the file the config names, so it has its own provider. */
  static forRoot(options: { config: RouterConfig; catalog: Catalog; logger: Logger }): DynamicModule {
    const { config, catalog, logger } = options;
    return {
      module: RoutingModule,
      imports: [RedisModule.forRoot({ url: config.REDIS_URL, logger }), ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger })],
      controllers: [RoutingConsumer],
      providers: [{ provide: ROUTER_CONFIG, useValue: config }, { provide: CATALOG, useValue: catalog }, ...USE_CASES],
    };
  }
}
