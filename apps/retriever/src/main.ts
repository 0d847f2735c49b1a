import { startService } from '@llm/service-runtime';
import { loadRetrieverConfig } from './config/retriever.config';
import { RetrievalModule } from './retrieval/retrieval.module';

startService(() => {
  const config = loadRetrieverConfig();
  return {
    name: 'retriever',
    module: RetrievalModule,
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
  };
});
