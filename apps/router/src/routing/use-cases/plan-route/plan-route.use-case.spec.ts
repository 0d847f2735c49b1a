import { join } from 'node:path';
import { loadCatalog } from '@llm/catalog';
import { Topics, type RouteRequestV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { RecordingResults } from '@llm/result-stream/testing';
import { llmRequest } from '@llm/testing';
import { PlanRouteCommand } from './plan-route.command';
import { PlanRouteUseCase } from './plan-route.use-case';

const catalog = loadCatalog(join(__dirname, '../../../../../../infra/catalog/models.json'));

const request = (model: string, overrides: Partial<RouteRequestV1> = {}): RouteRequestV1 => ({
  ...llmRequest({ body: { model, messages: [{ role: 'user', content: 'q' }] } }),
  cache_key: 'k'.repeat(64),
  context: [],
  ...overrides,
});

describe('PlanRouteUseCase', () => {
  let events: InMemoryEventPublisher;
  let results: RecordingResults;
  let useCase: PlanRouteUseCase;

  beforeEach(() => {
    events = new InMemoryEventPublisher();
    results = new RecordingResults();
    useCase = new PlanRouteUseCase(catalog, events, results);
  });

  it('plans the alias route with prices and keeps the cache key', async () => {
    const req = request('auto');
    await useCase.execute(PlanRouteCommand.create(req, 1));
    const [planned] = events.on(Topics.inference);
    expect(planned!.plan.targets.map((t) => t.model)).toEqual(['sim-small', 'sim-large']);
    expect(planned!.plan.targets[0]).toMatchObject({ provider: 'sim', deployment: 'sim-small', price_in_micros_per_mtok: 150_000 });
    expect(planned!.cache_key).toBe(req.cache_key);
    expect(results.finished).toEqual([]);
  });

  it('refuses an unknown model with a terminal result of the delivery attempt and routes nothing', async () => {
    await useCase.execute(PlanRouteCommand.create(request('gpt-9-ultra'), 3));
    expect(events.events).toEqual([]);
    expect(results.finished[0]).toMatchObject({ status: 'rejected', source: 'none', error: { code: 'MODEL_NOT_FOUND' }, cost_micros: 0, attempt: 3 });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('refuses %s as an unknown model', async (name) => {
    await useCase.execute(PlanRouteCommand.create(request(name), 1));
    expect(events.events).toEqual([]);
    expect(results.finished).toEqual([expect.objectContaining({ status: 'rejected', error: expect.objectContaining({ code: 'MODEL_NOT_FOUND' }) })]);
  });

  it('ends a request past its deadline as EXPIRED and never plans it toward a model', async () => {
    const now = new Date();
    const late = request('auto', { deadline_at: new Date(now.getTime() - 1).toISOString() });
    await useCase.execute(PlanRouteCommand.create(late, 2), now);
    expect(events.events).toEqual([]);
    expect(results.finished).toEqual([
      expect.objectContaining({ request_id: late.request_id, status: 'expired', error: expect.objectContaining({ code: 'EXPIRED' }), attempt: 2, cache_key: late.cache_key }),
    ]);
  });
});
