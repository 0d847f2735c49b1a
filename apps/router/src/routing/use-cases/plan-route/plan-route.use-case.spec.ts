import { join } from 'node:path';
import { loadCatalog } from '@llm/catalog';
import { Topics, type LlmResultV1, type RouteRequestV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import type { ResultPublisher } from '@llm/result-stream';
import { llmRequest } from '@llm/testing';
import { PlanRouteCommand } from './plan-route.command';
import { PlanRouteUseCase } from './plan-route.use-case';

const catalog = loadCatalog(join(__dirname, '../../../../../../infra/catalog/models.json'));

const request = (model: string): RouteRequestV1 => ({ ...llmRequest({ body: { model, messages: [{ role: 'user', content: 'q' }] } }), cache_key: 'k'.repeat(64), context: [] });

describe('PlanRouteUseCase', () => {
  let events: InMemoryEventPublisher;
  let finished: LlmResultV1[];
  let useCase: PlanRouteUseCase;

  beforeEach(() => {
    events = new InMemoryEventPublisher();
    finished = [];
    const results = { publish: async (r: LlmResultV1) => void finished.push(r) } as unknown as ResultPublisher;
    useCase = new PlanRouteUseCase(catalog, events, results);
  });

  it('plans the alias route with prices and keeps the cache key', async () => {
    const req = request('auto');
    await useCase.execute(PlanRouteCommand.create(req));
    const [planned] = events.on(Topics.inference);
    expect(planned!.plan.targets.map((t) => t.model)).toEqual(['sim-small', 'sim-large']);
    expect(planned!.plan.targets[0]).toMatchObject({ provider: 'sim', deployment: 'sim-small', price_in_micros_per_mtok: 150_000 });
    expect(planned!.cache_key).toBe(req.cache_key);
    expect(finished).toEqual([]);
  });

  it('refuses an unknown model with a terminal result and routes nothing', async () => {
    await useCase.execute(PlanRouteCommand.create(request('gpt-9-ultra')));
    expect(events.events).toEqual([]);
    expect(finished[0]).toMatchObject({ status: 'rejected', error: { code: 'MODEL_NOT_FOUND' }, cost_micros: 0 });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('refuses %s as an unknown model', async (name) => {
    await useCase.execute(PlanRouteCommand.create(request(name)));
    expect(events.events).toEqual([]);
    expect(finished).toEqual([expect.objectContaining({ status: 'rejected', error: expect.objectContaining({ code: 'MODEL_NOT_FOUND' }) })]);
  });
});
