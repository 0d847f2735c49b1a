import { Topics, type LlmResultV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { MetricsRegistry } from '@llm/telemetry';
import { llmResult } from '@llm/testing';
import type { EvaluationRepository } from '../../evaluation.repository';
import type { EvaluationRow, EvaluationStoreRepository, SampleResultHalf } from '../../evaluation-store.repository';
import { Sampler } from '../../sampling/sampler';
import { VerdictRecorder } from '../../verdict.recorder';
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

/** In-memory stand-in for the Postgres store, same public methods the use case and the recorder call. */
class FakeStore implements Pick<EvaluationStoreRepository, 'saveEvaluations' | 'saveResultHalf'> {
  readonly evaluations = new Map<string, EvaluationRow>();
  readonly halves: SampleResultHalf[] = [];
  async saveEvaluations(_tenantId: string, rows: readonly EvaluationRow[]): Promise<void> {
    for (const row of rows) if (!this.evaluations.has(row.evaluationId)) this.evaluations.set(row.evaluationId, row);
  }
  async saveResultHalf(_tenantId: string, half: SampleResultHalf): Promise<void> {
    this.halves.push(half);
  }
}

const result = (overrides: Partial<LlmResultV1> = {}, content: string | null = 'hello') => llmResult({ tenant_id: 'acme', ...overrides }, content);

function setup(sampleRate = 1) {
  const repository = new FakeEvaluationRepository();
  const events = new InMemoryEventPublisher();
  const store = new FakeStore();
  const joined: string[] = [];
  const metrics = new MetricsRegistry('evaluator-test', { defaultMetrics: false });
  const sampler = new Sampler({ defaultRate: sampleRate, rates: {}, excludedTenants: ['platform-evaluator'] });
  const recorder = new VerdictRecorder(store as unknown as EvaluationStoreRepository, events);
  const judgeSample = { execute: async (_t: string, requestId: string) => void joined.push(requestId) };
  const useCase = new RecordResultUseCase(repository, sampler, recorder, store, judgeSample, { EVAL_LATENCY_TARGET_MS: 1_000, EVAL_COST_TARGET_MICROS: 100 }, metrics);
  const run = (r: LlmResultV1) => useCase.execute(RecordResultCommand.create(r));
  return { repository, events, store, joined, metrics, run };
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
    expect(events.on(Topics.evaluations).filter((e) => e.judge === 'json_validity')).toEqual([
      expect.objectContaining({ request_id: ok.request_id, tenant_id: 'acme', judge: 'json_validity', model: 'sim-small', score: 1, passed: true }),
      expect.objectContaining({ request_id: bad.request_id, judge: 'json_validity', score: 0, passed: false }),
    ]);
  });

  it('gives a redelivered result the same evaluation id', async () => {
    const { events, run } = setup();
    const r = result({}, '{}');
    await run(r);
    await run(r);
    const ids = events.on(Topics.evaluations).map((e) => e.evaluation_id);
    expect(ids).toHaveLength(6);
    expect(ids.slice(3)).toEqual(ids.slice(0, 3));
  });

  it('does not judge plain text or empty content', async () => {
    const { events, run } = setup();
    await run(result({}, 'plain text'));
    await run(result({}, null));
    await run(result({ response: undefined }));
    expect(events.on(Topics.evaluations).filter((e) => e.judge === 'json_validity')).toEqual([]);
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

  it('scores latency and cost against their targets, with the numbers on the stored verdict', async () => {
    const { store, run } = setup();
    const r = result({ latency_ms: 2_000, cost_micros: 50 });
    await run(r);
    const rows = [...store.evaluations.values()];
    expect(rows.find((e) => e.judge === 'latency')).toMatchObject({ score: 0.5, passed: false, latencyMs: 2_000, costMicros: 50 });
    expect(rows.find((e) => e.judge === 'cost')).toMatchObject({ score: 1, passed: true });
  });

  it('stores the result half of a sampled request and asks for the pair to be judged', async () => {
    const { store, joined, run } = setup();
    const r = result({ feature: 'support' }, 'an answer');
    await run(r);
    expect(store.halves).toEqual([expect.objectContaining({ requestId: r.request_id, feature: 'support', answer: 'an answer', status: 'succeeded' })]);
    expect(joined).toEqual([r.request_id]);
  });

  it('judges nothing, but still counts, when the request is not sampled', async () => {
    const { repository, events, store, run } = setup(0);
    await run(result({}, '{"a":1}'));
    expect(events.on(Topics.evaluations)).toEqual([]);
    expect(store.halves).toEqual([]);
    expect((await repository.getCounters('acme')).total).toBe(1);
  });

  it('never samples the platform judge tenant', async () => {
    const { events, run } = setup(1);
    await run(result({ tenant_id: 'platform-evaluator' }, '{"a":1}'));
    expect(events.on(Topics.evaluations)).toEqual([]);
  });
});
