import { Topics, type LlmResultV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { MetricsRegistry } from '@llm/telemetry';
import { llmResult } from '@llm/testing';
import type { EvaluationRepository } from '../../evaluation.repository';
import { RecordResultCommand } from './record-result.command';
import { RecordResultUseCase } from './record-result.use-case';

/** In-memory stand-in for the Redis repository, same public methods. */
class FakeEvaluationRepository implements Pick<EvaluationRepository, 'recordOnce' | 'getCounters'> {
  readonly seen = new Set<string>();
  readonly counters = new Map<string, Record<string, number>>();

  async recordOnce(tenantId: string, requestId: string, increments: Readonly<Record<string, number>>): Promise<boolean> {
    const marker = `${tenantId}/${requestId}`;
    if (this.seen.has(marker)) return false;
    this.seen.add(marker);
    const hash = this.counters.get(tenantId) ?? {};
    for (const [field, by] of Object.entries(increments)) hash[field] = (hash[field] ?? 0) + by;
    this.counters.set(tenantId, hash);
    return true;
  }

  async getCounters(tenantId: string): Promise<Record<string, number>> {
    return { ...this.counters.get(tenantId) };
  }
}

const result = (overrides: Partial<LlmResultV1> = {}, content: string | null = 'hello') => llmResult({ tenant_id: 'acme', ...overrides }, content);

function setup() {
  const repository = new FakeEvaluationRepository();
  const events = new InMemoryEventPublisher();
  const metrics = new MetricsRegistry('evaluator-test', { defaultMetrics: false });
  const useCase = new RecordResultUseCase(repository, events, metrics);
  const run = (r: LlmResultV1) => useCase.execute(RecordResultCommand.create(r));
  return { repository, events, metrics, run };
}

describe('RecordResultUseCase', () => {
  it('counts a result under its tenant by status, source and model, with latency and cost sums', async () => {
    const { repository, run } = setup();
    await run(result());
    await run(result({ source: 'cache', model: undefined, latency_ms: 5, cost_micros: 0 }));
    await run(result({ status: 'failed', response: undefined, latency_ms: 10, cost_micros: 0 }));
    expect(await repository.getCounters('acme')).toEqual({
      total: 3,
      'status:succeeded': 2,
      'status:failed': 1,
      'source:model': 2,
      'source:cache': 1,
      'model:sim-small': 2,
      latency_ms_sum: 55,
      cost_micros_sum: 120,
    });
    expect(await repository.getCounters('other')).toEqual({});
  });

  it('counts a redelivered result once and reports it as a duplicate', async () => {
    const { repository, metrics, run } = setup();
    const r = result();
    await run(r);
    await run(r);
    expect((await repository.getCounters('acme')).total).toBe(1);
    const text = await metrics.render();
    expect(text).toMatch(/evaluator_results_total\{status="succeeded",source="model",service="evaluator-test"\} 1/);
    expect(text).toMatch(/evaluator_duplicate_results_total\{service="evaluator-test"\} 1/);
  });

  it('publishes a json_validity evaluation for content that looks like JSON', async () => {
    const { events, run } = setup();
    const ok = result({}, '{"answer": 42}');
    const bad = result({}, '[1, 2,');
    await run(ok);
    await run(bad);
    expect(events.on(Topics.evaluations)).toEqual([
      expect.objectContaining({ request_id: ok.request_id, tenant_id: 'acme', judge: 'json_validity', model: 'sim-small', score: 1, passed: true }),
      expect.objectContaining({ request_id: bad.request_id, judge: 'json_validity', score: 0, passed: false }),
    ]);
  });

  it('gives a redelivered result the same evaluation id', async () => {
    const { events, run } = setup();
    const r = result({}, '{}');
    await run(r);
    await run(r);
    const [first, second] = events.on(Topics.evaluations);
    expect(first!.evaluation_id).toBe(second!.evaluation_id);
  });

  it('does not judge plain text or empty content', async () => {
    const { events, run } = setup();
    await run(result({}, 'plain text'));
    await run(result({}, null));
    await run(result({ response: undefined }));
    expect(events.on(Topics.evaluations)).toEqual([]);
  });

  it('does not count a result whose evaluation could not be published, so the retry counts it', async () => {
    const { repository, events, run } = setup();
    const r = result({}, '{}');
    events.failNext = new Error('broker down');
    await expect(run(r)).rejects.toThrow('broker down');
    expect(await repository.getCounters('acme')).toEqual({});
    await run(r);
    expect((await repository.getCounters('acme')).total).toBe(1);
  });
});
