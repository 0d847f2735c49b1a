import { finishDeadLetteredRequests } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { loadRouterConfig } from './config/router.config';
import { RoutingModule } from './routing/routing.module';

startService(() => {
  const config = loadRouterConfig();
  return {
    name: 'router',
    settings: config,
    kafka: config,
    module: (logger) => RoutingModule.forRoot({ config, logger }),
    onDeadLetter: finishDeadLetteredRequests,
  };
});
