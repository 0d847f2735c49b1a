import { startService } from '@llm/service-runtime';
import { loadModelSimConfig } from './config/model-sim.config';
import { simulationHttpErrorMapper } from './simulation/simulation.errors';
import { SimulationModule } from './simulation/simulation.module';

startService(() => {
  const config = loadModelSimConfig();
  return {
    name: 'model-sim',
    settings: config,
    bodyLimit: '4mb',
    module: () => SimulationModule.forRoot(config),
    httpErrorMappers: [simulationHttpErrorMapper],
  };
});
