import { Controller, Inject } from '@nestjs/common';
import { Topics, type InferenceRequestV1 } from '@llm/contracts';
import { KafkaMessageContext, OnTopic } from '@llm/kafka';
import { MAX_ATTEMPTS } from './inference.tokens';
import { RunInferenceCommand } from './use-cases/run-inference/run-inference.command';
import { RunInferenceUseCase } from './use-cases/run-inference/run-inference.use-case';

@Controller()
export class InferenceConsumer {
  constructor(
    private readonly runInference: RunInferenceUseCase,
    @Inject(MAX_ATTEMPTS) private readonly maxAttempts: number,
  ) {}

  @OnTopic(Topics.inference)
  async onInference(request: InferenceRequestV1, context: KafkaMessageContext): Promise<void> {
    await this.runInference.execute(RunInferenceCommand.create(request, context.attempt, this.maxAttempts));
  }
}
