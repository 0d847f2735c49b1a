import { Injectable } from '@nestjs/common';
import { Topics } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import type { RetrieveContextCommand } from './retrieve-context.command';

/**
 * Walking skeleton: forwards the request to routing with no retrieved context. Document ingestion, hybrid
 * search and the context budget come with the RAG issue; the topic contract already carries `context`.
 */
@Injectable()
export class RetrieveContextUseCase {
  constructor(private readonly events: EventPublisher) {}

  async execute(command: RetrieveContextCommand): Promise<void> {
    await this.events.publish(Topics.route, { ...command.request, context: [] });
  }
}
