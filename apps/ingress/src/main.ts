import { startService } from '@llm/service-runtime';
import { createLogger } from '@llm/telemetry';
import { authErrorStatus } from './auth/auth.errors';
import { loadIngressConfig } from './config/ingress.config';
import { requestErrorStatus } from './requests/requests.errors';
import { RequestsModule } from './requests/requests.module';

startService(() => {
  const config = loadIngressConfig();
  const logger = createLogger({ service: 'ingress', level: config.LOG_LEVEL });
  return {
    name: 'ingress',
    module: RequestsModule.forRoot(config, logger),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT, bodyLimit: config.BODY_LIMIT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    httpErrorMappers: [authErrorStatus, requestErrorStatus],
    logger,
  };
});
