import { startService } from '@llm/service-runtime';
import { loadIngressConfig } from './config/ingress.config';
import { RequestsModule } from './requests/requests.module';

startService(() => {
  const config = loadIngressConfig();
  return {
    name: 'ingress',
    settings: config,
    kafka: config,
    bodyLimit: String(config.BODY_LIMIT_BYTES),
    module: (logger) => RequestsModule.forRoot(config, logger),
    prefilters: () => RequestsModule.prefilters,
  };
});
