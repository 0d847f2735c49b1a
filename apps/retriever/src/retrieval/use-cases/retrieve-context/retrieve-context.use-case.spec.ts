import { randomUUID } from 'node:crypto';
import { Topics, type RetrieveRequestV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { RetrieveContextCommand } from './retrieve-context.command';
import { RetrieveContextUseCase } from './retrieve-context.use-case';

describe('RetrieveContextUseCase', () => {
  it('forwards the request to routing with its cache key and an empty context', async () => {
    const events = new InMemoryEventPublisher();
    const request: RetrieveRequestV1 = {
      request_id: randomUUID(),
      tenant_id: 'acme',
      priority: 'batch',
      mode: 'async',
      created_at: new Date().toISOString(),
      body: { model: 'auto', messages: [{ role: 'user', content: 'q' }] },
      rag: { collection: 'docs', top_k: 3 },
      cache_key: 'abc',
    };
    await new RetrieveContextUseCase(events).execute(RetrieveContextCommand.create(request));
    expect(events.on(Topics.route)).toEqual([{ ...request, context: [] }]);
  });
});
