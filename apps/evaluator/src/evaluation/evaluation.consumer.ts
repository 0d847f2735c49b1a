import { Controller } from '@nestjs/common';
import { Topics, type LlmResultV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { RecordResultCommand } from './use-cases/record-result/record-result.command';
import { RecordResultUseCase } from './use-cases/record-result/record-result.use-case';

@Controller()
export class EvaluationConsumer {
  constructor(private readonly recordResult: RecordResultUseCase) {}

  @OnTopic(Topics.results)
  async onResult(result: LlmResultV1): Promise<void> {
    await this.recordResult.execute(RecordResultCommand.create(result));
  }
}
