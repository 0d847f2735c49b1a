import { Controller } from '@nestjs/common';
import { Topics, type UsageV1 } from '@llm/contracts';
import { OnTopic } from '@llm/kafka';
import { RecordUsageCommand } from './use-cases/record-usage/record-usage.command';
import { RecordUsageUseCase } from './use-cases/record-usage/record-usage.use-case';

/**
 * Upper bound of one handler call. A fetch of one partition (kafkajs' 1 MB per partition) holds about 1,500
 * usage events, so this rarely cuts one; the micro-batcher joins partitions' calls into statements.
 */
const MAX_EVENTS_PER_CALL = 4_000;

@Controller()
export class LedgerConsumer {
  constructor(private readonly recordUsage: RecordUsageUseCase) {}

  /** Each event's offset is committed after its row's statement committed; a refused event fails alone. */
  @OnTopic(Topics.usage, { batch: { maxMessages: MAX_EVENTS_PER_CALL } })
  async onUsage(usages: UsageV1[]): Promise<(Error | undefined)[]> {
    return this.recordUsage.executeBatch(usages.map((u) => RecordUsageCommand.create(u)));
  }
}
