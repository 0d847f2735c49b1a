import { chainFor, logicalModel, type Catalog, type CatalogModel } from '@llm/catalog';
import type { ChatRequestBody, ResultError, RouteDecision, RoutePlan, RouteRequestV1, RouteTarget } from '@llm/contracts';
import type { DeploymentSignal } from '@llm/deployment-health';
import type { ComplexityScorer } from '@llm/routing-scorer';
import { countTokens, promptText } from '@llm/tokens';
import type { PolicySettings, Tier } from './routing-policy.schema';
import { isArithmeticWordProblem } from './cascade.policy';
import { classifyTask } from './task.policy';

export type { DeploymentSignal };

export interface RouteSignals {
  /** The tenant's daily budget use (spent + reserved) and limit; undefined when it has no daily limit. */
  budget?: { usedMicros: number; limitMicros: number };
  /** Messages the inference workers have not taken yet; undefined when unknown. */
  lag?: number;
  deployments: ReadonlyMap<string, DeploymentSignal>;
}

export interface PlanInput {
  request: RouteRequestV1;
  catalog: Catalog;
  settings: PolicySettings;
  scorer: ComplexityScorer;
  signals: RouteSignals;
}

export type PlanOutcome =
  | { kind: 'route'; plan: RoutePlan; body: ChatRequestBody; primary: CatalogModel }
  | { kind: 'refuse'; error: ResultError; decisions: RouteDecision[] }
  /** Every deployment able to serve the request is unhealthy: go straight to the cached answer / degradation. */
  | { kind: 'unavailable'; plan: RoutePlan };

const TIER_RANK: Record<Tier, number> = { small: 0, medium: 1, large: 2 };
const MAX_TARGETS = 8;
const price = (m: CatalogModel) => m.price_in_micros_per_mtok + m.price_out_micros_per_mtok;

function lastUserText(body: ChatRequestBody): string {
  const user = [...body.messages].reverse().find((m) => m.role === 'user');
  return user ? promptText([user]) : '';
}

/**
 * The routing policy, composed: catalog route → budget → load → task / complexity → capabilities → context
 * window → tier restriction → fallback order with health and load balancing. A pure function of the request,
 * the catalog, the tenant's settings and the observed signals, so every rule is unit-testable and every
 * decision lands in the plan with the rule and score that made it.
 */
export function buildRoutePlan({ request, catalog, settings, scorer, signals }: PlanInput): PlanOutcome {
  const decisions: RouteDecision[] = [];
  const refuse = (code: string, message: string, retryable = false, retryAfter?: number): PlanOutcome => ({
    kind: 'refuse',
    error: { code, message, retryable, ...(retryAfter !== undefined ? { retry_after_s: retryAfter } : {}) },
    decisions,
  });
  const chain = chainFor(catalog, request.body.model);
  if (!chain) return refuse('MODEL_NOT_FOUND', `model '${request.body.model.slice(0, 100)}' is not in the catalog`);
  const pinned = chain.route.startsWith('model:');
  decisions.push({ policy: 'catalog', rule: chain.route, effect: `${chain.models.length} candidate deployments` });

  let body = request.body;
  let toolsRemoved = false;
  let allowed: readonly Tier[] = ['small', 'medium', 'large'];
  let escalation = settings.escalation.enabled;
  const access = settings.access.allowed_tiers.filter((t) => request.allowed_tiers?.includes(t) ?? true);
  if (access.length < allowed.length) {
    allowed = access;
    decisions.push({ policy: 'access', rule: request.allowed_tiers ? 'request:allowed_tiers' : 'tenant:allowed_tiers', effect: `tiers ${access.join(',') || 'none'}` });
  }

  const b = signals.budget;
  if (settings.budget.enabled && b && b.limitMicros > 0) {
    const share = b.usedMicros / b.limitMicros;
    if (share >= settings.budget.small_only_at) {
      allowed = allowed.filter((t) => t === 'small');
      escalation = false;
      const strip = settings.budget.remove_tools && (body.tools?.length ?? 0) > 0;
      if (strip) {
        const { tools: _tools, tool_choice: _choice, ...rest } = body;
        body = rest;
        toolsRemoved = true;
      }
      decisions.push({
        policy: 'budget',
        rule: `daily-budget>=${settings.budget.small_only_at}`,
        score: round(share),
        effect: `small models only${strip ? ', tools removed' : ''}`,
      });
    }
  }

  if (settings.load.enabled && signals.lag !== undefined && settings.load.low_priorities.includes(request.priority)) {
    if (request.priority === 'batch' && signals.lag >= settings.load.defer_lag) {
      decisions.push({ policy: 'load', rule: `lag>=${settings.load.defer_lag}`, score: signals.lag, effect: 'batch work deferred' });
      return refuse('OVERLOADED', `the inference backlog is ${signals.lag} messages; batch work is deferred`, true, settings.load.retry_after_s);
    }
    if (signals.lag >= settings.load.downgrade_lag) {
      allowed = allowed.filter((t) => t === 'small');
      escalation = false;
      decisions.push({ policy: 'load', rule: `lag>=${settings.load.downgrade_lag}`, score: signals.lag, effect: `${request.priority} downgraded to small models` });
    }
  }

  const text = lastUserText(body);
  const promptTokens = countTokens(promptText(body.messages)) + request.context.reduce((s, c) => s + countTokens(c.text), 0);
  let wanted: Tier | undefined;
  const task = settings.tasks.enabled ? classifyTask(request, text, promptTokens, settings.tasks) : undefined;
  if (task) {
    const t = settings.tasks.tiers[task.task] ?? null;
    if (t !== null) wanted = t;
    decisions.push({ policy: 'task', rule: task.rule, effect: `task ${task.task}${t !== null ? ` → ${t}` : ''}` });
  }
  // The cascade (weak first, the worker's answer-check decides escalation) for the prompt kind the check covers.
  // A task the caller named through its feature keeps its tier; a classifier guess does not.
  let cascade: { threshold?: number } | undefined;
  if (settings.cascade.enabled && !pinned && settings.cascade.applies_to.includes(request.body.model) && !task?.rule.startsWith('feature:') && isArithmeticWordProblem(text)) {
    const rule = 'arithmetic-word-problem';
    if (request.mode === 'stream' || body.stream === true) decisions.push({ policy: 'cascade', rule, effect: 'not cascaded: a stream reaches the caller before any check' });
    else if (!escalation) decisions.push({ policy: 'cascade', rule, effect: 'not cascaded: escalation is off' });
    else {
      cascade = settings.cascade.threshold !== undefined ? { threshold: settings.cascade.threshold } : {};
      wanted = 'small';
    }
  }
  let complexity: RoutePlan['complexity'];
  if (settings.complexity.enabled) {
    const threshold = settings.complexity.threshold ?? scorer.thresholdFor(text);
    const score = scorer.score(text);
    // A cost-aware scorer compares the expected benefit per prompt token, so long prompts need a surer case.
    const value = scorer.routingValue(score, countTokens(text));
    complexity = { score: round(score), routing_value: roundSig(value), threshold, scorer: scorer.model.version };
    const decides = wanted === undefined && settings.complexity.decides_for.includes(request.body.model);
    if (decides) wanted = value >= threshold ? 'large' : 'small';
    const rule = scorer.model.cost_exponent === 0 ? `score>=${threshold}` : `score/tokens^${scorer.model.cost_exponent}>=${threshold}`;
    decisions.push({ policy: 'complexity', rule, score: roundSig(value), effect: decides ? `→ ${wanted}` : 'recorded only' });
  }

  const needs = {
    tools: (body.tools?.length ?? 0) > 0 && body.tool_choice !== 'none',
    json_schema: body.response_format?.type === 'json_schema',
    logprobs: body.logprobs === true,
    streaming: request.mode === 'stream' || body.stream === true,
  };
  let candidates = chain.models.filter((m) => (Object.keys(needs) as (keyof typeof needs)[]).every((k) => !needs[k] || m.capabilities[k]));
  if (candidates.length < chain.models.length) {
    const missing = (Object.keys(needs) as (keyof typeof needs)[]).filter((k) => needs[k]).join(',');
    decisions.push({ policy: 'capabilities', rule: `needs:${missing}`, effect: `${chain.models.length - candidates.length} deployments lack it` });
  }
  if (candidates.length === 0) return refuse('INVALID_REQUEST', `no deployment of '${request.body.model.slice(0, 100)}' supports what the request needs`);

  if (settings.context.enabled) {
    const need = promptTokens + (body.max_completion_tokens ?? body.max_tokens ?? settings.context.output_reserve_tokens);
    const fitting = candidates.filter((m) => m.context_window >= need);
    if (fitting.length === 0) {
      decisions.push({ policy: 'context', rule: `tokens>${Math.max(...candidates.map((m) => m.context_window))}`, score: need, effect: 'refused' });
      return refuse('CONTEXT_LENGTH_EXCEEDED', `the request needs ${need} tokens; the largest context window available is ${Math.max(...candidates.map((m) => m.context_window))}`);
    }
    if (fitting.length < candidates.length)
      decisions.push({ policy: 'context', rule: `tokens=${need}`, score: need, effect: `${candidates.length - fitting.length} deployments with a smaller window skipped` });
    candidates = fitting;
  }

  if (allowed.length < 3) {
    const within = candidates.filter((m) => allowed.includes(m.tier));
    if (within.length === 0 && access.every((t) => !candidates.some((m) => m.tier === t))) {
      // The caller's plan allows none of what can serve this request: a refusal, never a tier it did not buy.
      return refuse('MODEL_NOT_ALLOWED', `no deployment in the allowed tiers (${access.join(',') || 'none'}) can serve this request`);
    }
    // A downgrade that leaves nothing (e.g. no small model fits a long prompt): the cheapest allowed deployment.
    const permitted = candidates.filter((m) => access.includes(m.tier));
    candidates = within.length > 0 ? within : [permitted.reduce((a, m) => (price(m) < price(a) ? m : a))];
  }

  const primaryModel = pinned ? candidates[0]! : pickTier(candidates, wanted);
  if (!pinned && wanted !== undefined && primaryModel.tier !== wanted) decisions.push({ policy: 'tier', rule: `no ${wanted} candidate`, effect: `→ ${primaryModel.tier}` });

  const { targets, unhealthy } = orderTargets(candidates, primaryModel, signals.deployments, settings, escalation && !pinned, cascade);
  if (cascade) {
    const to = targets.find((t) => t.role === 'escalation');
    decisions.push({
      policy: 'cascade',
      rule: 'arithmetic-word-problem',
      ...(cascade.threshold !== undefined ? { score: cascade.threshold } : {}),
      effect: to
        ? `${targets[0]!.model} first; answer-check ${cascade.threshold !== undefined ? `>=${cascade.threshold}` : '(calibrated threshold)'} escalates to ${to.model}`.slice(0, 256)
        : 'not cascaded: no larger model allowed',
    });
  }
  if (unhealthy.length > 0)
    decisions.push({ policy: 'health', rule: `error-rate>=${settings.health.max_error_rate}`, effect: `unhealthy last: ${unhealthy.join(',').slice(0, 200)}` });
  const plan: RoutePlan = {
    policy: 'composed-v1',
    reason: `${chain.route}: ${targets[0]!.model} (${targets[0]!.role})`.slice(0, 512),
    targets,
    decisions,
    ...(task ? { task: task.task } : {}),
    ...(complexity ? { complexity } : {}),
    ...(toolsRemoved ? { tools_removed: true } : {}),
    fallback: { cached_answer: settings.fallback.cached_answer && request.cache_key !== undefined, degradation_message: settings.fallback.degradation_message },
  };
  if (unhealthy.length === targets.length) return { kind: 'unavailable', plan };
  return { kind: 'route', plan, body, primary: candidates.find((m) => m.id === targets[0]!.model)! };
}

/** The first candidate (route order) of the wanted tier, else the nearest tier above, else the nearest below. */
function pickTier(candidates: readonly CatalogModel[], wanted: Tier | undefined): CatalogModel {
  if (wanted === undefined) return candidates[0]!;
  const w = TIER_RANK[wanted];
  const byDistance = [...candidates].sort((a, b) => score(a) - score(b));
  return byDistance[0]!;
  function score(m: CatalogModel): number {
    const d = TIER_RANK[m.tier] - w;
    return d === 0 ? 0 : d > 0 ? d : 10 - d;
  }
}

/**
 * Fallback order: the primary model's deployments (healthiest, least loaded first), the escalation target when
 * the primary is small, cheaper models, then the route's remaining models; unhealthy deployments go last.
 */
function orderTargets(
  candidates: readonly CatalogModel[],
  primary: CatalogModel,
  signals: ReadonlyMap<string, DeploymentSignal>,
  settings: PolicySettings,
  escalate: boolean,
  cascade: { threshold?: number } | undefined,
): { targets: RouteTarget[]; unhealthy: string[] } {
  const isUnhealthy = (m: CatalogModel) => {
    const s = signals.get(m.id);
    return s !== undefined && s.calls >= settings.health.min_calls && s.errors / s.calls >= settings.health.max_error_rate;
  };
  // Load per unit of capacity: a deployment with twice the RPM limit takes twice the traffic.
  const load = (m: CatalogModel) => (signals.get(m.id)?.routed ?? 0) / (m.limits?.rpm ?? 1_000);
  const balanced = (ms: readonly CatalogModel[]) => [...ms].sort((a, b) => Number(isUnhealthy(a)) - Number(isUnhealthy(b)) || load(a) - load(b));

  const ordered: { m: CatalogModel; role: NonNullable<RouteTarget['role']> }[] = [];
  const taken = new Set<string>();
  const add = (m: CatalogModel, role: NonNullable<RouteTarget['role']>) => {
    if (taken.has(m.id)) return;
    taken.add(m.id);
    ordered.push({ m, role });
  };
  balanced(candidates.filter((m) => logicalModel(m) === logicalModel(primary))).forEach((m, i) => add(m, i === 0 ? 'primary' : 'other-deployment'));
  const larger = candidates.filter((m) => TIER_RANK[m.tier] > TIER_RANK[primary.tier]);
  // Only a deployment with a calibrated threshold is escalated: an uncalibrated one would escalate at random. The
  // cascade's check is calibrated against the strong model (GPT-4 on GSM8K), so it escalates to the largest tier.
  const strongest = larger.filter((m) => m.tier === larger.reduce<Tier>((t, c) => (TIER_RANK[c.tier] > TIER_RANK[t] ? c.tier : t), 'small'));
  const byLogprob = escalate && primary.tier === 'small' && primary.capabilities.logprobs && primary.escalation !== undefined;
  const escalateTo = escalate && primary.tier === 'small' && cascade ? balanced(strongest)[0] : byLogprob ? balanced(larger)[0] : undefined;
  if (escalateTo) add(escalateTo, 'escalation');
  balanced(candidates.filter((m) => price(m) < price(primary)))
    .sort((a, b) => price(a) - price(b))
    .forEach((m) => add(m, 'cheaper-model'));
  balanced(candidates).forEach((m) => add(m, 'fallback-model'));

  const healthyFirst = [...ordered.filter((o) => !isUnhealthy(o.m)), ...ordered.filter((o) => isUnhealthy(o.m))].slice(0, MAX_TARGETS);
  // Each deployment of the primary model carries its own calibrated threshold (none: its answers are kept).
  const checked = (m: CatalogModel) => escalateTo !== undefined && logicalModel(m) === logicalModel(primary);
  const thresholdOf = (m: CatalogModel) => (checked(m) && byLogprob ? m.escalation?.min_mean_logprob : undefined);
  return {
    targets: healthyFirst.map(({ m, role }) => toTarget(m, role, thresholdOf(m), checked(m) ? cascade : undefined)),
    unhealthy: healthyFirst.filter((o) => isUnhealthy(o.m)).map((o) => o.m.id),
  };
}

function toTarget(m: CatalogModel, role: NonNullable<RouteTarget['role']>, escalateBelow: number | undefined, answerCheck: { threshold?: number } | undefined): RouteTarget {
  return {
    model: m.id,
    provider: m.provider,
    deployment: m.deployment,
    price_in_micros_per_mtok: m.price_in_micros_per_mtok,
    price_out_micros_per_mtok: m.price_out_micros_per_mtok,
    ...(m.price_cached_in_micros_per_mtok !== undefined ? { price_cached_in_micros_per_mtok: m.price_cached_in_micros_per_mtok } : {}),
    ...(m.price_batch_in_micros_per_mtok !== undefined ? { price_batch_in_micros_per_mtok: m.price_batch_in_micros_per_mtok } : {}),
    ...(m.price_batch_out_micros_per_mtok !== undefined ? { price_batch_out_micros_per_mtok: m.price_batch_out_micros_per_mtok } : {}),
    timeout_ms: m.timeout_ms,
    ...(m.first_token_timeout_ms !== undefined ? { first_token_timeout_ms: m.first_token_timeout_ms } : {}),
    ...(m.idle_timeout_ms !== undefined ? { idle_timeout_ms: m.idle_timeout_ms } : {}),
    role,
    tier: m.tier,
    ...(escalateBelow !== undefined ? { escalate_if_mean_logprob_below: escalateBelow } : {}),
    ...(answerCheck !== undefined ? { answer_check: answerCheck } : {}),
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
/** Four significant digits: routing values per token can be far below 1e-4. */
const roundSig = (v: number) => (v === 0 ? 0 : Number(v.toPrecision(4)));
