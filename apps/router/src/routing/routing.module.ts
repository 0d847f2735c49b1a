import { Module, type DynamicModule } from '@nestjs/common';
import type { Catalog } from '@llm/catalog';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { RoutingConsumer } from './routing.consumer';
import { CATALOG } from './routing.tokens';
import { PlanRouteUseCase } from './use-cases/plan-route/plan-route.use-case';

const USE_CASES = [PlanRouteUseCase];

@Module({})
export class RoutingModule {
  static forRoot(options: { catalog: Catalog; redisUrl: string; logger: Logger }): DynamicModule {
    return {
      module: RoutingModule,
      imports: [RedisModule.forRoot({ url: options.redisUrl, logger: options.logger }), ResultStreamModule.forRoot({ redisUrl: options.redisUrl, logger: options.logger })],
      controllers: [RoutingConsumer],
      providers: [{ provide: CATALOG, useValue: options.catalog }, ...USE_CASES],
    };
  }
}
