import { Module, type DynamicModule } from '@nestjs/common';
import type { ModelSimConfig } from '../config/model-sim.config';
import { ChatCompletionsController } from './chat-completions.controller';
import { SIM_CONFIG } from './simulation.tokens';

@Module({})
export class SimulationModule {
  static forRoot(config: ModelSimConfig): DynamicModule {
    return { module: SimulationModule, controllers: [ChatCompletionsController], providers: [{ provide: SIM_CONFIG, useValue: config }] };
  }
}
