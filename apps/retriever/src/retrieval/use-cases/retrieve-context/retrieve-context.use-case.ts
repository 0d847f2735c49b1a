import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { expiredResult, isExpired, ResultPublisher } from '@llm/result-stream';
import type { RetrieveContextCommand } from './retrieve-context.command';

/**
 * Walking skeleton: forwards the request to routing with no retrieved context. Document ingestion, hybrid
 * search and the context budget come with the RAG issue; the topic contract already carries `context`. A
 * request past its deadline ends here as EXPIRED, before any retrieval work.
 */
@Injectable()
export class RetrieveContextUseCase {
  constructor(
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
  ) {}

  async execute({ request, attempt }: RetrieveContextCommand, now = new Date()): Promise<void> {
    if (isExpired(request, now)) {
      await this.results.publish(expiredResult(request, attempt, now));
      return;
    }
    await this.events.publish(Topics.route, { ...request, context: [] });
  }
}
