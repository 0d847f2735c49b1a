import { finishDeadLettered, ResultPublisher } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { loadCacheConfig } from './config/cache.config';
import { ExactCacheModule } from './exact-cache/exact-cache.module';

startService(() => {
  const config = loadCacheConfig();
  const logger = createLogger({ service: 'cache', level: config.LOG_LEVEL });
  return {
    name: 'cache',
    module: ExactCacheModule.forRoot({ redisUrl: config.REDIS_URL, ttlSeconds: config.EXACT_CACHE_TTL_S, logger }),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    onDeadLetter: (app) => finishDeadLettered(app.get(ResultPublisher)),
    logger,
  };
});
