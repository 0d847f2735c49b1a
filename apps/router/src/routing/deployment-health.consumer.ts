import { Controller } from '@nestjs/common';
import { Topics, type LlmResultV1, type UsageV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { RecordOutcomeUseCase } from './use-cases/record-outcome/record-outcome.use-case';

/** Observes provider call outcomes for the health signal of the load balancer (see RecordOutcomeUseCase). */
@Controller()
export class DeploymentHealthConsumer {
  constructor(private readonly recordOutcome: RecordOutcomeUseCase) {}

  @OnTopic(Topics.usage)
  async onUsage(usage: UsageV1): Promise<void> {
    await this.recordOutcome.fromUsage(usage);
  }

  @OnTopic(Topics.results)
  async onResult(result: LlmResultV1): Promise<void> {
    await this.recordOutcome.fromResult(result);
  }
}
