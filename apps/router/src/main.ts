import { loadCatalog } from '@llm/catalog';
import { finishDeadLettered, ResultPublisher } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { loadRouterConfig } from './config/router.config';
import { RoutingModule } from './routing/routing.module';

startService(() => {
  const config = loadRouterConfig();
  const logger = createLogger({ service: 'router', level: config.LOG_LEVEL });
  return {
    name: 'router',
    module: RoutingModule.forRoot({ catalog: loadCatalog(config.MODEL_CATALOG_PATH), redisUrl: config.REDIS_URL, logger }),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    onDeadLetter: (app) => finishDeadLettered(app.get(ResultPublisher)),
    logger,
  };
});
