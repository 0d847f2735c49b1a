import { Topics, type RetrieveRequestV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { RecordingResults } from '@llm/result-stream/testing';
import { llmRequest } from '@llm/testing';
import { RetrieveContextCommand } from './retrieve-context.command';
import { RetrieveContextUseCase } from './retrieve-context.use-case';

describe('RetrieveContextUseCase', () => {
  let events: InMemoryEventPublisher;
  let results: RecordingResults;
  let useCase: RetrieveContextUseCase;

  beforeEach(() => {
    events = new InMemoryEventPublisher();
    results = new RecordingResults();
    useCase = new RetrieveContextUseCase(events, results);
  });

  it('forwards the request to routing with its cache key and an empty context', async () => {
    const request: RetrieveRequestV1 = { ...llmRequest({ rag: { collection: 'docs', top_k: 3 } }), cache_key: 'abc' };
    await useCase.execute(RetrieveContextCommand.create(request, 1));
    expect(events.on(Topics.route)).toEqual([{ ...request, context: [] }]);
    expect(results.finished).toEqual([]);
  });

  it('ends a request past its deadline as EXPIRED and sends nothing on', async () => {
    const now = new Date();
    const late: RetrieveRequestV1 = { ...llmRequest({ rag: { collection: 'docs', top_k: 3 }, deadline_at: new Date(now.getTime() - 1).toISOString() }), cache_key: 'abc' };
    await useCase.execute(RetrieveContextCommand.create(late, 1), now);
    expect(events.events).toEqual([]);
    expect(results.finished).toEqual([expect.objectContaining({ request_id: late.request_id, status: 'expired', error: expect.objectContaining({ code: 'EXPIRED' }) })]);
  });
});
