import { Inject, Injectable } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import { chainFor, type Catalog } from '@llm/catalog';
import type { RouteRequestV1 } from '@llm/contracts';
import type { PolicySettings } from '../policies/routing-policy.schema';
import type { RouteSignals } from '../policies/plan-builder';
import { INFERENCE_BACKLOG } from '../routing.tokens';
import { DeploymentHealthRepository } from './deployment-health.repository';
import type { InferenceBacklog } from './inference-backlog';

/** Gathers what the policies observe for one request: budget use, the workers' backlog, deployment health. */
@Injectable()
export class RouteSignalsReader {
  constructor(
    private readonly budgets: BudgetStore,
    @Inject(INFERENCE_BACKLOG) private readonly backlog: Pick<InferenceBacklog, 'current'>,
    private readonly health: DeploymentHealthRepository,
  ) {}

  async read(request: RouteRequestV1, catalog: Catalog, settings: PolicySettings, now = new Date()): Promise<RouteSignals> {
    const ids = chainFor(catalog, request.body.model)?.models.map((m) => m.id) ?? [];
    const [budget, lag, deployments] = await Promise.all([
      settings.budget.enabled ? this.budgets.read(request.tenant_id, 'tenant', '', 'day', now) : undefined,
      settings.load.enabled ? this.backlog.current(now.getTime()) : undefined,
      this.health.snapshot(ids, now),
    ]);
    return {
      ...(budget && budget.limitMicros !== null ? { budget: { usedMicros: budget.spentMicros + budget.reservedMicros, limitMicros: budget.limitMicros } } : {}),
      ...(lag !== undefined ? { lag } : {}),
      deployments,
    };
  }
}
