import { Inject, Injectable } from '@nestjs/common';
import { cacheHitOutcome, ExactCacheReader } from '@llm/cache-key';
import { Topics, type RoutePlan, type RouteRequestV1 } from '@llm/contracts';
import { DeploymentHealth } from '@llm/deployment-health';
import { EventPublisher } from '@llm/kafka';
import { expiredResult, isExpired, ResultPublisher, unansweredResult } from '@llm/result-stream';
import { MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { buildRoutePlan } from '../../policies/plan-builder';
import { settingsFor } from '../../policies/routing-policy.schema';
import type { RoutingData } from '../../routing-data';
import { ROUTING_DATA } from '../../routing.tokens';
import { RouteSignalsReader } from '../../signals/route-signals.reader';
import type { PlanRouteCommand } from './plan-route.command';

/**
 * Plans a request onto the catalog with the composed policies (policies/plan-builder.ts) and sends it to the
 * workers with its plan. A request the policies refuse (unknown model, context too long, deferred under load)
 * and a request past its deadline end here with a terminal result. When every deployment that could serve it
 * is unhealthy, the plan's last steps run here at once: the cached answer, else the degradation message.
 */
@Injectable()
export class PlanRouteUseCase {
  private readonly outcomes: Counter<'outcome' | 'tier'>;
  private readonly decisions: Counter<'policy'>;
  private readonly unrecorded: Counter;

  constructor(
    @Inject(ROUTING_DATA) private readonly data: Pick<RoutingData, 'catalog' | 'policy' | 'scorer'>,
    private readonly signals: RouteSignalsReader,
    @Inject(DeploymentHealth) private readonly health: Pick<DeploymentHealth, 'recordRouted'>,
    private readonly cache: ExactCacheReader,
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('router_routes_total', 'Routed requests by outcome and primary tier', ['outcome', 'tier']);
    this.decisions = metrics.counter('router_policy_decisions_total', 'Policy decisions recorded in route plans', ['policy']);
    this.unrecorded = metrics.counter('router_load_record_errors_total', 'Routed requests whose load could not be counted in Redis');
  }

  async execute({ request, attempt }: PlanRouteCommand, now = new Date()): Promise<void> {
    if (isExpired(request, now)) {
      await this.results.publish(expiredResult(request, attempt, now));
      return;
    }
    const catalog = this.data.catalog;
    const settings = settingsFor(this.data.policy, request.tenant_id);
    const signals = await this.signals.read(request, catalog, settings, now);
    const outcome = buildRoutePlan({ request, catalog, settings, scorer: this.data.scorer, signals });
    switch (outcome.kind) {
      case 'refuse':
        outcome.decisions.forEach((d) => this.decisions.inc({ policy: d.policy }));
        this.outcomes.inc({ outcome: `refused:${outcome.error.code}`, tier: 'none' });
        await this.results.publish(unansweredResult(request, { status: 'rejected', error: outcome.error, attempt, ...cacheKeyOf(request) }, now));
        return;
      case 'unavailable':
        this.count(outcome.plan);
        await this.fallBack(request, outcome.plan, attempt, settings.fallback.retry_after_s, now);
        return;
      case 'route':
        this.count(outcome.plan);
        this.outcomes.inc({ outcome: 'routed', tier: outcome.primary.tier });
        await this.events.publish(Topics.inference, { ...request, body: outcome.body, plan: outcome.plan });
        // Best effort, after the publish: failing here would redeliver an already routed request.
        await this.health.recordRouted(outcome.primary.id, now).catch(() => this.unrecorded.inc());
        return;
    }
  }

  /** The plan's steps after its targets: the exact cache's answer under the request's key, else a degradation message. */
  private async fallBack(request: RouteRequestV1, plan: RoutePlan, attempt: number, retryAfterS: number, now: Date): Promise<void> {
    const key = request.cache_key;
    const cached = plan.fallback?.cached_answer && key !== undefined ? await this.cache.find(request.tenant_id, key) : undefined;
    if (cached && key !== undefined) {
      this.outcomes.inc({ outcome: 'cached-answer', tier: 'none' });
      const { result, usage } = cacheHitOutcome(request, { key, completion: cached }, attempt, now);
      const usageSent = this.events.publish(Topics.usage, { ...usage, fallback: true, fallback_step: 'cached-answer' });
      await Promise.all([usageSent, this.results.publish({ ...result, fallback_used: true, fallback_step: 'cached-answer' }, usageSent)]);
      return;
    }
    this.outcomes.inc({ outcome: 'degraded', tier: 'none' });
    await this.results.publish({
      ...unansweredResult(
        request,
        {
          status: 'failed',
          error: { code: 'UNAVAILABLE', message: plan.fallback?.degradation_message ?? 'no model is available', retryable: true, retry_after_s: retryAfterS },
          attempt,
          fallback_used: true,
          ...cacheKeyOf(request),
        },
        now,
      ),
      fallback_step: 'degraded',
    });
  }

  private count(plan: RoutePlan): void {
    for (const d of plan.decisions ?? []) this.decisions.inc({ policy: d.policy });
  }
}

const cacheKeyOf = (request: RouteRequestV1) => (request.cache_key !== undefined ? { cache_key: request.cache_key } : {});
