import { startService } from '@llm/service-runtime';
import { authErrorStatus } from './auth/auth.errors';
import { loadIngressConfig } from './config/ingress.config';
import { requestErrorStatus } from './requests/requests.errors';
import { RequestsModule } from './requests/requests.module';

startService(() => {
  const config = loadIngressConfig();
  return {
    name: 'ingress',
    settings: config,
    kafka: config,
    bodyLimit: config.BODY_LIMIT,
    module: (logger) => RequestsModule.forRoot(config, logger),
    httpErrorMappers: [authErrorStatus, requestErrorStatus],
  };
});
