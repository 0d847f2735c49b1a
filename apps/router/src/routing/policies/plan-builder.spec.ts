import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog, type Catalog } from '@llm/catalog';
import type { RouteRequestV1 } from '@llm/contracts';
import { ComplexityScorer, DENSE_FEATURES, FEATURE_VERSION } from '@llm/routing-scorer';
import { llmRequest } from '@llm/testing';
import { buildRoutePlan, type DeploymentSignal, type PlanOutcome, type RouteSignals } from './plan-builder';
import { parseRoutingPolicy, settingsFor, type PolicySettings } from './routing-policy.schema';

const ROOT = join(__dirname, '../../../../..');
const shipped = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'infra/catalog/models.json'), 'utf8')));
const policy = parseRoutingPolicy(JSON.parse(readFileSync(join(ROOT, 'infra/routing/policy.json'), 'utf8')));

/** Two deployments of the small model (balanced; only the first calibrated for escalation), a medium and a large one. */
const calibration = { min_mean_logprob: -0.7, calibrated_on: 'spec' };
const catalog: Catalog = parseCatalog({
  ...shipped,
  models: [
    ...shipped.models.map((m) => (m.id === 'sim-small' ? { ...m, escalation: calibration } : m)),
    { ...shipped.models.find((m) => m.id === 'sim-small')!, id: 'sim-small-b', model: 'sim-small', region: 'eu' },
    { ...shipped.models.find((m) => m.id === 'sim-large')!, id: 'sim-xl', model: 'sim-xl', context_window: 200_000 },
  ],
  routes: { default: ['sim-small', 'sim-medium', 'sim-large', 'sim-xl'], quality: ['sim-large', 'sim-small'] },
});

/** A scorer that returns the same score for every prompt: the policy is under test, not the weights. */
const constantScorer = (p: number) =>
  new ComplexityScorer({
    version: 'const',
    feature_version: FEATURE_VERSION,
    target: 'weak-wrong',
    buckets: 16,
    dense: { names: [...DENSE_FEATURES], mean: DENSE_FEATURES.map(() => 0), std: DENSE_FEATURES.map(() => 1) },
    bias: Math.log(p / (1 - p)),
    weights: new Array<number>(16 + DENSE_FEATURES.length).fill(0),
    cost_exponent: 0,
    default_threshold: 0.5,
    trained_on: { source: 'spec', rows: 0, split: '' },
  });

const req = (content: string, overrides: Partial<RouteRequestV1> = {}, body: Partial<RouteRequestV1['body']> = {}): RouteRequestV1 => ({
  ...llmRequest({ tenant_id: 'acme', body: { model: 'auto', messages: [{ role: 'user', content }], ...body } }),
  context: [],
  cache_key: 'k'.repeat(64),
  ...overrides,
});

function plan(request: RouteRequestV1, o: { score?: number; signals?: Partial<RouteSignals>; settings?: PolicySettings } = {}): PlanOutcome {
  return buildRoutePlan({
    request,
    catalog,
    settings: o.settings ?? settingsFor(policy, request.tenant_id),
    scorer: constantScorer(o.score ?? 0.1),
    signals: { deployments: new Map(), ...o.signals },
  });
}
const routed = (o: PlanOutcome) => {
  if (o.kind !== 'route') throw new Error(`expected a route, got ${o.kind}: ${JSON.stringify(o)}`);
  return o;
};
const models = (o: PlanOutcome) => routed(o).plan.targets.map((t) => `${t.model}:${t.role}`);

describe('route plan policies', () => {
  it('task type from the feature: intent → small, RAG → medium, code → large, each decision explained', () => {
    expect(routed(plan(req('hi', { feature: 'intent' }))).primary.id).toMatch(/^sim-small/);
    expect(routed(plan(req('what does the doc say', { feature: 'doc-qa' }))).primary.id).toBe('sim-medium');
    const code = routed(plan(req('make it faster', { feature: 'codegen' })));
    expect(code.primary.tier).toBe('large');
    expect(code.plan.task).toBe('code');
    expect(code.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'task', rule: 'feature:codegen', effect: 'task code → large' }]));
  });

  it('task type from the cheap classifier when no feature is known', () => {
    expect(routed(plan(req('Classify the sentiment of this review: great phone'))).plan.task).toBe('classification');
    expect(routed(plan(req('Please implement a binary search in typescript'))).plan.task).toBe('code');
    expect(routed(plan(req('answer from the docs', { context: [{ document_id: 'd', chunk_id: 'c', text: 'x', score: 1 }] }))).plan.task).toBe('rag_answer');
  });

  it('the complexity score decides a general task for the opted-in alias, with the score and threshold in the plan', () => {
    const smart = { model: 'smart' };
    const easy = routed(plan(req('tell me something', {}, smart), { score: 0.2 }));
    expect(easy.primary.tier).toBe('small');
    expect(easy.plan.complexity).toEqual({ score: 0.2, routing_value: 0.2, threshold: 0.5, scorer: 'const' });
    const hard = routed(plan(req('tell me something', {}, smart), { score: 0.8 }));
    expect(hard.primary.tier).toBe('large');
    // Elsewhere the score is recorded, and the route's first model answers.
    const auto = routed(plan(req('tell me something'), { score: 0.8 }));
    expect(auto.primary.tier).toBe('small');
    expect(auto.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'complexity', rule: 'score>=0.5', score: 0.8, effect: 'recorded only' }]));
    expect(hard.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'complexity', rule: 'score>=0.5', score: 0.8, effect: '→ large' }]));
  });

  it('marks a small primary for confidence escalation, with the larger target right after it', () => {
    const p = routed(plan(req('tell me something'), { score: 0.2 })).plan;
    const escalation = p.targets.findIndex((t) => t.role === 'escalation');
    expect(p.targets[0]).toMatchObject({ tier: 'small', escalate_if_mean_logprob_below: -0.7 });
    expect(p.targets[escalation]).toMatchObject({ tier: 'medium' });
    expect(p.targets.slice(0, escalation).every((t) => t.model.startsWith('sim-small'))).toBe(true);
    expect(p.targets.filter((t) => t.escalate_if_mean_logprob_below !== undefined).every((t) => t.tier === 'small')).toBe(true);
    // Thresholds are per deployment: the uncalibrated second deployment of the small model keeps its answers.
    expect(p.targets.find((t) => t.model === 'sim-small-b')?.escalate_if_mean_logprob_below).toBeUndefined();
  });

  it('never escalates a deployment without a calibrated threshold (the shipped catalog has none)', () => {
    expect(shipped.models.some((m) => m.escalation !== undefined)).toBe(false);
    const o = buildRoutePlan({
      request: req('tell me something'),
      catalog: shipped,
      settings: settingsFor(policy, 'acme'),
      scorer: constantScorer(0.2),
      signals: { deployments: new Map() },
    });
    const p = routed(o).plan;
    expect(p.targets[0]).toMatchObject({ tier: 'small', role: 'primary' });
    expect(p.targets.some((t) => t.role === 'escalation' || t.escalate_if_mean_logprob_below !== undefined)).toBe(false);
  });

  it('access: never plans outside the tiers the caller’s plan allows (request field or tenant policy)', () => {
    const small = routed(plan(req('make it faster', { feature: 'codegen', allowed_tiers: ['small'] })));
    expect(small.plan.targets.every((t) => t.tier === 'small')).toBe(true);
    expect(small.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'access', rule: 'request:allowed_tiers', effect: 'tiers small' }]));
    const p = parseRoutingPolicy({ ...policy, tenants: { free: { access: { allowed_tiers: ['small', 'medium'] } } } });
    const free = routed(plan(req('make it faster', { tenant_id: 'free', feature: 'codegen' }), { settings: settingsFor(p, 'free') }));
    expect(free.plan.targets.map((t) => t.tier)).not.toContain('large');
    expect(plan(req('word '.repeat(20_000), { allowed_tiers: ['medium'] }))).toMatchObject({ kind: 'refuse', error: { code: 'MODEL_NOT_ALLOWED' } });
  });

  it('budget: past 80% of the daily budget only small models, no tools, no escalation', () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup' } }];
    const o = routed(
      plan(req('tell me something', {}, { model: 'smart', tools, tool_choice: 'auto' }), { score: 0.9, signals: { budget: { usedMicros: 850, limitMicros: 1_000 } } }),
    );
    expect(o.plan.targets.every((t) => t.tier === 'small')).toBe(true);
    expect(o.body.tools).toBeUndefined();
    expect(o.body.tool_choice).toBeUndefined();
    expect(o.plan.tools_removed).toBe(true);
    expect(o.plan.targets.some((t) => t.escalate_if_mean_logprob_below !== undefined)).toBe(false);
    expect(o.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'budget', rule: 'daily-budget>=0.8', score: 0.85, effect: 'small models only, tools removed' }]));
    // Under the line nothing changes.
    expect(routed(plan(req('tell me something', {}, { model: 'smart' }), { score: 0.9, signals: { budget: { usedMicros: 700, limitMicros: 1_000 } } })).primary.tier).toBe('large');
  });

  it('load: a backlog downgrades low-priority work and defers batch work; paid work is untouched', () => {
    const lag = { lag: 5_000 };
    expect(routed(plan(req('x', { priority: 'realtime-free', feature: 'codegen' }), { signals: lag })).primary.tier).toBe('small');
    expect(routed(plan(req('x', { priority: 'realtime-paid', feature: 'codegen' }), { signals: lag })).primary.tier).toBe('large');
    const deferred = plan(req('x', { priority: 'batch' }), { signals: { lag: 50_000 } });
    expect(deferred).toMatchObject({ kind: 'refuse', error: { code: 'OVERLOADED', retryable: true, retry_after_s: 30 } });
  });

  it('context window: skips windows too small, routes to a larger one, refuses with a clear code past the largest', () => {
    const long = 'word '.repeat(20_000);
    const o = routed(plan(req(long), { score: 0.1 }));
    expect(o.plan.targets.map((t) => t.model)).not.toContain('sim-small');
    expect(o.primary.context_window).toBeGreaterThanOrEqual(20_000);
    expect(plan(req('word '.repeat(250_000)))).toMatchObject({ kind: 'refuse', error: { code: 'CONTEXT_LENGTH_EXCEEDED', retryable: false } });
  });

  it('capabilities: a request that needs tools never lands on a deployment without them', () => {
    const noTools = parseCatalog({ ...catalog, models: catalog.models.map((m) => (m.id === 'sim-small' ? { ...m, capabilities: { ...m.capabilities, tools: false } } : m)) });
    const o = buildRoutePlan({
      request: req('x', {}, { tools: [{ type: 'function', function: { name: 'f' } }] }),
      catalog: noTools,
      settings: settingsFor(policy, 'acme'),
      scorer: constantScorer(0.1),
      signals: { deployments: new Map() },
    });
    expect(routed(o).plan.targets.map((t) => t.model)).not.toContain('sim-small');
  });

  it('balances deployments of one model by live load and puts unhealthy ones last', () => {
    const busyA = new Map<string, DeploymentSignal>([['sim-small', { calls: 50, errors: 0, routed: 40 }]]);
    expect(models(plan(req('x'), { signals: { deployments: busyA } })).slice(0, 2)).toEqual(['sim-small-b:primary', 'sim-small:other-deployment']);
    const sickB = new Map<string, DeploymentSignal>([['sim-small-b', { calls: 20, errors: 15, routed: 0 }]]);
    const o = routed(plan(req('x'), { signals: { deployments: sickB } }));
    expect(o.plan.targets[0]!.model).toBe('sim-small');
    expect(o.plan.targets.at(-1)!.model).toBe('sim-small-b');
    expect(o.plan.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ policy: 'health' })]));
  });

  it('fallback order: primary → other deployment → escalation → cheaper → rest, then cached answer and degradation', () => {
    const o = routed(plan(req('tell me something', { feature: 'reasoning' })));
    expect(models(o)[0]).toBe('sim-large:primary');
    expect(models(o)).toEqual(expect.arrayContaining(['sim-small:cheaper-model', 'sim-small-b:cheaper-model', 'sim-medium:cheaper-model']));
    const cheaper = o.plan.targets.filter((t) => t.role === 'cheaper-model').map((t) => t.price_in_micros_per_mtok);
    expect(cheaper).toEqual([...cheaper].sort((a, b) => a - b));
    expect(o.plan.fallback).toEqual({ cached_answer: true, degradation_message: expect.stringMatching(/unavailable/) });
  });

  it('every deployment unhealthy → unavailable, so the router answers from the cache or degrades', () => {
    const all = new Map<string, DeploymentSignal>(catalog.models.map((m) => [m.id, { calls: 20, errors: 20, routed: 0 }]));
    expect(plan(req('x'), { signals: { deployments: all } })).toMatchObject({ kind: 'unavailable', plan: { fallback: { cached_answer: true } } });
  });

  it('a pinned model keeps its primary; policies still filter it', () => {
    const o = routed(plan(req('x', {}, { model: 'sim-large' }), { score: 0.1 }));
    expect(o.primary.id).toBe('sim-large');
    expect(o.plan.targets.some((t) => t.role === 'escalation')).toBe(false);
    expect(routed(plan(req('x', {}, { model: 'sim-large' }), { signals: { budget: { usedMicros: 900, limitMicros: 1_000 } } })).primary.tier).toBe('small');
  });

  it.each(['gpt-9-ultra', 'constructor', '__proto__'])('refuses %s as an unknown model', (name) => {
    expect(plan(req('x', {}, { model: name }))).toMatchObject({ kind: 'refuse', error: { code: 'MODEL_NOT_FOUND' } });
  });

  it('per-tenant overrides replace only what they name', () => {
    const p = parseRoutingPolicy({ ...policy, tenants: { frugal: { budget: { small_only_at: 0.5 }, tasks: { tiers: { code: 'small' } } } } });
    const frugal = settingsFor(p, 'frugal');
    expect(frugal.budget).toEqual({ ...policy.defaults.budget, small_only_at: 0.5 });
    expect(frugal.tasks.tiers.rag_answer).toBe('medium');
    expect(routed(plan(req('x', { tenant_id: 'frugal', feature: 'codegen' }), { settings: frugal })).primary.tier).toBe('small');
    expect(settingsFor(p, 'constructor')).toEqual(policy.defaults);
    expect(() => parseRoutingPolicy({ ...policy, tenants: { x: { budget: { surprise: 1 } } } })).toThrow(/surprise/);
  });

  describe('cascade (weak first, the answer-check escalates)', () => {
    const problem =
      'Janet’s ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. She sells the rest for $2 each. How much in dollars does she make every day?';

    it('sends an arithmetic word problem asked of the opted-in alias to the small model, with the answer-check and the strongest tier as escalation', () => {
      const o = routed(plan(req(problem, {}, { model: 'smart' }), { score: 0.99 }));
      const p = o.plan;
      expect(p.targets[0]).toMatchObject({ role: 'primary', tier: 'small', answer_check: {} });
      const escalation = p.targets.findIndex((t) => t.role === 'escalation');
      expect(p.targets[escalation]).toMatchObject({ tier: 'large' });
      expect(p.targets[escalation]!.answer_check).toBeUndefined();
      // Every target before the escalation is the small model; each carries the check, nothing after it does.
      expect(p.targets.slice(0, escalation).every((t) => t.tier === 'small' && t.answer_check !== undefined)).toBe(true);
      expect(p.targets.slice(escalation).every((t) => t.answer_check === undefined)).toBe(true);
      expect(p.decisions).toEqual(
        expect.arrayContaining([
          {
            policy: 'cascade',
            rule: 'arithmetic-word-problem',
            effect: expect.stringMatching(/^sim-small.* first; answer-check \(calibrated threshold\) escalates to sim-(large|xl)$/),
          },
        ]),
      );
      // The complexity scorer would have sent it to the large model; the cascade decided instead.
      expect(p.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ policy: 'complexity', effect: 'recorded only' })]));
    });

    it('is not used for other prompts, other model names, pinned models or streams (explained)', () => {
      expect(routed(plan(req('tell me about Oslo', {}, { model: 'smart' }))).plan.targets.some((t) => t.answer_check)).toBe(false);
      expect(routed(plan(req(problem))).plan.targets.some((t) => t.answer_check)).toBe(false);
      expect(routed(plan(req(problem, {}, { model: 'sim-small' }))).plan.targets.some((t) => t.answer_check || t.role === 'escalation')).toBe(false);
      const mc = `${problem}\nA) 16\nB) 18\nC) 20\nD) 22`;
      expect(routed(plan(req(mc, {}, { model: 'smart' }))).plan.targets.some((t) => t.answer_check)).toBe(false);
      const streamed = routed(plan(req(problem, { mode: 'stream' }, { model: 'smart' })));
      expect(streamed.plan.targets.some((t) => t.answer_check)).toBe(false);
      expect(streamed.plan.decisions).toEqual(
        expect.arrayContaining([{ policy: 'cascade', rule: 'arithmetic-word-problem', effect: 'not cascaded: a stream reaches the caller before any check' }]),
      );
    });

    it('a feature-named task keeps its tier', () => {
      expect(routed(plan(req(problem, { feature: 'reasoning' }, { model: 'smart' }))).plan.targets[0]).toMatchObject({ tier: 'large' });
    });

    it('is off past the budget line (small only, no escalation) and for a tenant that turns it off; a tenant may set its own threshold', () => {
      const tight = routed(plan(req(problem, {}, { model: 'smart' }), { signals: { budget: { usedMicros: 900, limitMicros: 1_000 } } }));
      expect(tight.plan.targets.some((t) => t.answer_check || t.role === 'escalation')).toBe(false);
      expect(tight.plan.decisions).toEqual(expect.arrayContaining([{ policy: 'cascade', rule: 'arithmetic-word-problem', effect: 'not cascaded: escalation is off' }]));

      const p = parseRoutingPolicy({ ...policy, tenants: { off: { cascade: { enabled: false } }, strict: { cascade: { threshold: 0.3 } } } });
      const off = routed(plan(req(problem, { tenant_id: 'off' }, { model: 'smart' }), { settings: settingsFor(p, 'off'), score: 0.99 }));
      expect(off.plan.targets.some((t) => t.answer_check)).toBe(false);
      expect(off.plan.decisions!.some((d) => d.policy === 'cascade')).toBe(false);
      expect(off.primary.tier).toBe('large');
      const strict = routed(plan(req(problem, { tenant_id: 'strict' }, { model: 'smart' }), { settings: settingsFor(p, 'strict') }));
      expect(strict.plan.targets[0]).toMatchObject({ answer_check: { threshold: 0.3 } });
      expect(strict.plan.decisions).toEqual(
        expect.arrayContaining([expect.objectContaining({ policy: 'cascade', score: 0.3, effect: expect.stringContaining('answer-check >=0.3 escalates') })]),
      );
    });
  });
});
