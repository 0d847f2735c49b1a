import { Controller } from '@nestjs/common';
import { Topics, type UsageV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { RecordUsageCommand } from './use-cases/record-usage/record-usage.command';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

@Controller()
export class LedgerConsumer {
  constructor(private readonly recordUsage: RecordUsageUseCase) {}

  @OnTopic(Topics.usage)
  async onUsage(usage: UsageV1): Promise<void> {
    await this.recordUsage.execute(RecordUsageCommand.create(usage));
  }
}
