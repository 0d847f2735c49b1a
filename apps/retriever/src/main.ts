import { finishDeadLettered, ResultPublisher } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { loadRetrieverConfig } from './config/retriever.config';
import { RetrievalModule } from './retrieval/retrieval.module';

startService(() => {
  const config = loadRetrieverConfig();
  const logger = createLogger({ service: 'retriever', level: config.LOG_LEVEL });
  return {
    name: 'retriever',
    module: RetrievalModule.forRoot({ redisUrl: config.REDIS_URL, logger }),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    onDeadLetter: (app) => finishDeadLettered(app.get(ResultPublisher)),
    logger,
  };
});
