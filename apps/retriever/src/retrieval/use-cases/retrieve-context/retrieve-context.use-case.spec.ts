import { Topics, type RetrieveRequestV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { llmRequest } from '@llm/testing';
import { RetrieveContextCommand } from './retrieve-context.command';
import { RetrieveContextUseCase } from './retrieve-context.use-case';

describe('RetrieveContextUseCase', () => {
  it('forwards the request to routing with its cache key and an empty context', async () => {
    const events = new InMemoryEventPublisher();
    const request: RetrieveRequestV1 = { ...llmRequest({ rag: { collection: 'docs', top_k: 3 } }), cache_key: 'abc' };
    await new RetrieveContextUseCase(events).execute(RetrieveContextCommand.create(request));
    expect(events.on(Topics.route)).toEqual([{ ...request, context: [] }]);
  });
});
