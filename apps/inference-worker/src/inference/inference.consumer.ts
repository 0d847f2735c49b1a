import { Controller, Inject } from '@nestjs/common';
import { Topics, type InferenceRequestV1 } from '@llm/contracts';
import { KafkaMessageContext, OnTopic } from '@llm/kafka';
import { INFERENCE_WORKER_CONFIG, type InferenceWorkerConfig } from '../config/inference-worker.config';
import { RunInferenceCommand } from './use-cases/run-inference/run-inference.command';
import { RunInferenceUseCase } from './use-cases/run-inference/run-inference.use-case';

@Controller()
export class InferenceConsumer {
  constructor(
    private readonly runInference: RunInferenceUseCase,
    @Inject(INFERENCE_WORKER_CONFIG) private readonly config: InferenceWorkerConfig,
  ) {}

  @OnTopic(Topics.inference)
  async onInference(request: InferenceRequestV1, context: KafkaMessageContext): Promise<void> {
    await this.runInference.execute(RunInferenceCommand.create(request, context.attempt, this.config.KAFKA_MAX_ATTEMPTS));
  }
}
