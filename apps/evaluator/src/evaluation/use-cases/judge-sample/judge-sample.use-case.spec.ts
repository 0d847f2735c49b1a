import { Topics } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { MetricsRegistry } from '@llm/telemetry';
import type { EvaluatorConfig } from '../../../config/evaluator.config';
import type { EvaluationRow, EvaluationStoreRepository, JoinedSample } from '../../evaluation-store.repository';
import { AnswerJudges } from '../../judges/answer-judges';
import { VerdictRecorder } from '../../verdict.recorder';
import { JudgeSampleUseCase } from './judge-sample.use-case';

const REQUEST_ID = '0b7e4a2e-8f3d-4c1a-9d2b-1f6a7e9c0d11';

/** The store's claim semantics in memory: a joined sample is handed out once, until the claim is released. */
class FakeStore {
  claimed = false;
  released = 0;
  readonly rows: EvaluationRow[] = [];
  constructor(private readonly sample: JoinedSample | undefined) {}
  async claimJoined(): Promise<JoinedSample | undefined> {
    if (!this.sample || this.claimed) return undefined;
    this.claimed = true;
    return this.sample;
  }
  async releaseClaim(): Promise<void> {
    this.claimed = false;
    this.released += 1;
  }
  async saveEvaluations(_t: string, rows: readonly EvaluationRow[]): Promise<void> {
    this.rows.push(...rows);
  }
}

const sample = (over: Partial<JoinedSample> = {}): JoinedSample => ({
  tenantId: 'acme',
  requestId: REQUEST_ID,
  feature: 'qa',
  body: { model: 'auto', messages: [{ role: 'user', content: 'When was the Eiffel Tower completed?' }] },
  context: [{ id: 'c1', text: 'The Eiffel Tower was completed in 1889 for the World Fair.' }],
  rag: true,
  status: 'succeeded',
  model: 'sim-small',
  answer: 'The Eiffel Tower was completed in 1889 [1].',
  latencyMs: 10,
  costMicros: 5,
  ...over,
});

function setup(joined: JoinedSample | undefined, llmJudge = true) {
  const store = new FakeStore(joined);
  const events = new InMemoryEventPublisher();
  const recorder = new VerdictRecorder(store as unknown as EvaluationStoreRepository, events);
  const config = { EVAL_LLM_JUDGE: llmJudge, EVAL_JUDGE_TENANT: 'platform-evaluator', EVAL_JUDGE_MODEL: 'sim-large' } as EvaluatorConfig;
  const useCase = new JudgeSampleUseCase(
    store as unknown as EvaluationStoreRepository,
    recorder,
    new AnswerJudges(),
    events,
    config,
    new MetricsRegistry('t', { defaultMetrics: false }),
  );
  return { store, events, run: () => useCase.execute('acme', REQUEST_ID) };
}

describe('JudgeSampleUseCase', () => {
  it('judges a joined sample once and sends the LLM judge request as the judge tenant in the batch band', async () => {
    const { store, events, run } = setup(sample());
    await run();
    await run();
    expect(store.rows.map((r) => [r.judge, r.passed])).toEqual([
      ['refusal', true],
      ['grounding_lexical', true],
    ]);
    const inbound = events.on(Topics.inbound);
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ tenant_id: 'platform-evaluator', priority: 'batch', request_id: `judge:acme:${REQUEST_ID}`, body: { model: 'sim-large' } });
  });

  it('does nothing before both halves are there', async () => {
    const { store, events, run } = setup(undefined);
    await run();
    expect(store.rows).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it('sends no LLM judge request for a refusal, without context, or when switched off', async () => {
    for (const [joined, on] of [
      [sample({ answer: 'I cannot answer from the provided context.' }), true],
      [sample({ context: [], rag: false }), true],
      [sample(), false],
    ] as const) {
      const { events, run } = setup(joined, on);
      await run();
      expect(events.on(Topics.inbound)).toEqual([]);
    }
  });

  it('gives the claim back when publishing fails, so the retried delivery judges it', async () => {
    const { store, events, run } = setup(sample());
    events.failNext = new Error('broker down');
    await expect(run()).rejects.toThrow('broker down');
    expect(store.released).toBe(1);
    await run();
    expect(events.on(Topics.inbound)).toHaveLength(1);
  });

  it('does not judge a failed request', async () => {
    const { store, run } = setup(sample({ status: 'failed' }));
    await run();
    expect(store.rows).toEqual([]);
  });
});
