import { runService } from '@llm/service-runtime';
import { loadRetrieverConfig } from './config/retriever.config';
import { RetrievalModule } from './retrieval/retrieval.module';

async function main(): Promise<void> {
  const config = loadRetrieverConfig();
  await runService({
    name: 'retriever',
    module: RetrievalModule,
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
