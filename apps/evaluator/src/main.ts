import { startService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { loadEvaluatorConfig } from './config/evaluator.config';
import { evaluatorHttpErrorMapper } from './evaluation/evaluation.errors';
import { EvaluationModule } from './evaluation/evaluation.module';

startService(() => {
  const config = loadEvaluatorConfig();
  const logger = createLogger({ service: 'evaluator', level: config.LOG_LEVEL });
  return {
    name: 'evaluator',
    module: EvaluationModule.forRoot({ redisUrl: config.REDIS_URL, adminToken: config.ADMIN_TOKEN, logger }),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    httpErrorMappers: [evaluatorHttpErrorMapper],
    logger,
  };
});
