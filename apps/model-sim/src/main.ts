import { startService } from '@llm/service-runtime';
import { loadModelSimConfig } from './config/model-sim.config';
import { simulationHttpErrorMapper } from './simulation/simulation.errors';
import { SimulationModule } from './simulation/simulation.module';

startService(() => {
  const config = loadModelSimConfig();
  return {
    name: 'model-sim',
    module: SimulationModule.forRoot(config),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT, bodyLimit: '4mb' },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    httpErrorMappers: [simulationHttpErrorMapper],
  };
});
