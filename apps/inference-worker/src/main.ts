import { loadCatalog } from '@llm/catalog';
import { runService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { loadInferenceWorkerConfig } from './config/inference-worker.config';
import { InferenceModule } from './inference/inference.module';

async function main(): Promise<void> {
  const config = loadInferenceWorkerConfig();
  const logger = createLogger({ service: 'inference-worker', level: config.LOG_LEVEL });
  await runService({
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
    logger,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
