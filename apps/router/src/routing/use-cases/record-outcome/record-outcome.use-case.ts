import { Injectable } from '@nestjs/common';
import type { LlmResultV1, UsageV1 } from '@llm/contracts';
import { DeploymentHealthRepository } from '../../signals/deployment-health.repository';

/** Final failures that say something about the deployment (not about the request, the caller or the clock). */
const DEPLOYMENT_FAULTS = new Set([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_INVALID_RESPONSE',
  'PROVIDER_MISCONFIGURED',
  'ALL_TARGETS_FAILED',
]);
/** Older outcomes fall outside the health window: skip the write (a new router group replays history). */
const MAX_AGE_MS = 3 * 60_000;
const DEPLOYMENT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Feeds deployment health from what the platform already publishes: every provider call's usage event
 * (succeeded or failed) and every request that finally failed on a deployment. Bucketed by the event's own
 * time, so replayed history never counts as current.
 */
@Injectable()
export class RecordOutcomeUseCase {
  constructor(private readonly health: DeploymentHealthRepository) {}

  async fromUsage(usage: UsageV1, now = new Date()): Promise<void> {
    if (usage.source !== 'model' || usage.status === 'cancelled') return;
    await this.record(usage.model, usage.status === 'succeeded', usage.occurred_at, now);
  }

  async fromResult(result: LlmResultV1, now = new Date()): Promise<void> {
    if (result.status !== 'failed' || result.model === undefined || !DEPLOYMENT_FAULTS.has(result.error?.code ?? '')) return;
    await this.record(result.model, false, result.completed_at, now);
  }

  private async record(deploymentId: string, ok: boolean, occurredAt: string, now: Date): Promise<void> {
    const at = new Date(occurredAt);
    if (!DEPLOYMENT_ID.test(deploymentId) || !(now.getTime() - at.getTime() < MAX_AGE_MS)) return;
    await this.health.recordOutcome(deploymentId, ok, at);
  }
}
