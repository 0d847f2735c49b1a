import { Module, type DynamicModule } from '@nestjs/common';
import type { ModelSimConfig } from '../config/model-sim.config';
import { BatchesController } from '../batches/batches.controller';
import { ChatCompletionsController } from './chat-completions.controller';
import { SIM_CONFIG } from './simulation.tokens';

@Module({})
export class SimulationModule {
  static forRoot(config: ModelSimConfig): DynamicModule {
    return { module: SimulationModule, controllers: [ChatCompletionsController, BatchesController], providers: [{ provide: SIM_CONFIG, useValue: config }] };
  }
}
