import { Controller, Inject, Optional } from '@nestjs/common';
import { Topics, type LlmRequestV1, type LlmResultV1 } from '@llm/contracts';
import { KafkaMessageContext, OnTopic } from '@llm/kafka';
import { LookupRequestCommand } from './use-cases/lookup-request/lookup-request.command';
import { LookupRequestUseCase } from './use-cases/lookup-request/lookup-request.use-case';
import { StoreResultCommand } from './use-cases/store-result/store-result.command';
import { StoreResultUseCase } from './use-cases/store-result/store-result.use-case';
import { StoreSemanticCommand } from '../semantic-cache/use-cases/store-semantic/store-semantic.command';
import { StoreSemanticUseCase } from '../semantic-cache/use-cases/store-semantic/store-semantic.use-case';

@Controller()
export class ExactCacheConsumer {
  constructor(
    private readonly lookup: LookupRequestUseCase,
    private readonly store: StoreResultUseCase,
    @Optional() @Inject(StoreSemanticUseCase) private readonly storeSemantic?: StoreSemanticUseCase,
  ) {}

  @OnTopic(Topics.requests)
  async onRequest(request: LlmRequestV1, context: KafkaMessageContext): Promise<void> {
    await this.lookup.execute(LookupRequestCommand.create(request, context.attempt));
  }

  @OnTopic(Topics.results)
  async onResult(result: LlmResultV1): Promise<void> {
    await this.store.execute(StoreResultCommand.create(result));
    await this.storeSemantic?.execute(StoreSemanticCommand.create(result));
  }
}
