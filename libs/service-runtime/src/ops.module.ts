import { Global, Module, type DynamicModule } from '@nestjs/common';
import { HealthRegistry, MetricsRegistry, type Logger } from '@llm/telemetry';
import { OpsController } from './ops.controller';
import { LOGGER, SERVICE_NAME } from './tokens';

/** Logger, metrics registry and health registry for the whole app, plus the /health and /metrics routes. */
@Global()
@Module({})
export class OpsModule {
  static forRoot(options: { service: string; logger: Logger; metrics: MetricsRegistry; health: HealthRegistry }): DynamicModule {
    return {
      module: OpsModule,
      controllers: [OpsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: LOGGER, useValue: options.logger },
        { provide: MetricsRegistry, useValue: options.metrics },
        { provide: HealthRegistry, useValue: options.health },
      ],
      exports: [SERVICE_NAME, LOGGER, MetricsRegistry, HealthRegistry],
    };
  }
}
