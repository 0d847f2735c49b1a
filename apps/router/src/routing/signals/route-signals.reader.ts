import { Inject, Injectable } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import { chainFor, type Catalog } from '@llm/catalog';
import type { RouteRequestV1 } from '@llm/contracts';
import { DeploymentHealth } from '@llm/deployment-health';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import type { PolicySettings } from '../policies/routing-policy.schema';
import type { DeploymentSignal, RouteSignals } from '../policies/plan-builder';
import { INFERENCE_BACKLOG } from '../routing.tokens';
import type { InferenceBacklog } from './inference-backlog';

/**
 * Gathers what the policies observe for one request: budget use, the workers' backlog, deployment health.
 * Each signal is advisory: one that cannot be read is left out (logged and counted) and the request is routed
 * without it, rather than held back by an outage of what only tunes the choice. Ingress still enforces budgets
 * by reservation, so routing without the budget signal never lets a tenant overspend.
 */
@Injectable()
export class RouteSignalsReader {
  private readonly failures: Counter<'signal'>;

  constructor(
    private readonly budgets: BudgetStore,
    @Inject(INFERENCE_BACKLOG) private readonly backlog: Pick<InferenceBacklog, 'current'>,
    @Inject(DeploymentHealth) private readonly health: Pick<DeploymentHealth, 'snapshot'>,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.failures = metrics.counter('router_signal_errors_total', 'Routing signals that could not be read (the request was routed without them)', ['signal']);
  }

  async read(request: RouteRequestV1, catalog: Catalog, settings: PolicySettings, now = new Date()): Promise<RouteSignals> {
    const ids = chainFor(catalog, request.body.model)?.models.map((m) => m.id) ?? [];
    const [budget, lag, deployments] = await Promise.all([
      settings.budget.enabled ? this.guard('budget', () => this.budgets.read(request.tenant_id, 'tenant', '', 'day', now)) : undefined,
      settings.load.enabled ? this.guard('backlog', () => this.backlog.current(now.getTime())) : undefined,
      this.guard('health', () => this.health.snapshot(ids, now)),
    ]);
    return {
      ...(budget && budget.limitMicros !== null ? { budget: { usedMicros: budget.spentMicros + budget.reservedMicros, limitMicros: budget.limitMicros } } : {}),
      ...(lag !== undefined ? { lag } : {}),
      deployments: deployments ?? new Map<string, DeploymentSignal>(),
    };
  }

  private async guard<T>(signal: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      this.failures.inc({ signal });
      this.logger.warn({ err, signal }, 'routing signal unreadable; routing without it');
      return undefined;
    }
  }
}
