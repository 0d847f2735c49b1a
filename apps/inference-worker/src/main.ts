import { loadCatalog } from '@llm/catalog';
import { finishDeadLettered, ResultPublisher } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { loadInferenceWorkerConfig } from './config/inference-worker.config';
import { InferenceModule } from './inference/inference.module';

startService(() => {
  const config = loadInferenceWorkerConfig();
  const logger = createLogger({ service: 'inference-worker', level: config.LOG_LEVEL });
  return {
    name: 'inference-worker',
    module: InferenceModule.forRoot({
      catalog: loadCatalog(config.MODEL_CATALOG_PATH),
      settings: config,
      redisUrl: config.REDIS_URL,
      maxAttempts: config.KAFKA_MAX_ATTEMPTS,
      logger,
    }),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    onDeadLetter: (app) => finishDeadLettered(app.get(ResultPublisher)),
    logger,
  };
});
