import { finishDeadLetteredRequests } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { loadCacheConfig } from './config/cache.config';
import { ExactCacheModule } from './exact-cache/exact-cache.module';
import { semanticCacheHttpErrorMapper } from './semantic-cache/semantic-cache.errors';

startService(() => {
  const config = loadCacheConfig();
  return {
    name: 'cache',
    settings: config,
    kafka: config,
    module: (logger) => ExactCacheModule.forRoot({ config, logger }),
    onDeadLetter: finishDeadLetteredRequests,
    httpErrorMappers: [semanticCacheHttpErrorMapper],
  };
});
