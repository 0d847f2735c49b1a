import { Controller } from '@nestjs/common';
import { Topics, type InferenceRequestV1, type LlmResultV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { RecordJudgeVerdictUseCase } from './use-cases/record-judge-verdict/record-judge-verdict.use-case';
import { RecordRequestUseCase } from './use-cases/record-request/record-request.use-case';
import { RecordResultCommand } from './use-cases/record-result/record-result.command';
import { RecordResultUseCase } from './use-cases/record-result/record-result.use-case';

@Controller()
export class EvaluationConsumer {
  constructor(
    private readonly recordResult: RecordResultUseCase,
    private readonly recordRequest: RecordRequestUseCase,
    private readonly recordJudgeVerdict: RecordJudgeVerdictUseCase,
  ) {}

  @OnTopic(Topics.results)
  async onResult(result: LlmResultV1): Promise<void> {
    const command = RecordResultCommand.create(result);
    if (command.isJudgeAnswer) await this.recordJudgeVerdict.execute(result);
    await this.recordResult.execute(command);
  }

  @OnTopic(Topics.inference)
  async onInferenceRequest(request: InferenceRequestV1): Promise<void> {
    await this.recordRequest.execute(request);
  }
}
