import { Controller } from '@nestjs/common';
import { Topics, type RetrieveRequestV1 } from '@llm/contracts';
import { KafkaMessageContext, OnTopic } from '@llm/kafka';
import { RetrieveContextCommand } from './use-cases/retrieve-context/retrieve-context.command';
import { RetrieveContextUseCase } from './use-cases/retrieve-context/retrieve-context.use-case';

@Controller()
export class RetrievalConsumer {
  constructor(private readonly retrieveContext: RetrieveContextUseCase) {}

  @OnTopic(Topics.retrieve)
  async onRetrieve(request: RetrieveRequestV1, context: KafkaMessageContext): Promise<void> {
    await this.retrieveContext.execute(RetrieveContextCommand.create(request, context.attempt));
  }
}
