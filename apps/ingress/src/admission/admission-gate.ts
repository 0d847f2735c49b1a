import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { RequestRegistry } from '../requests/identity/request-registry';
import type { AcceptRequestCommand } from '../requests/use-cases/accept-request/accept-request.command';
import type { EffectivePlan, PlanSubject } from './plans/plan-book';
import { RateLimitRefusal } from './rate-limits/rate-limits';
import { AdmitRequestUseCase, type Admission } from './use-cases/admit-request/admit-request.use-case';

export interface Caller extends PlanSubject {
  apiKeyId: string;
}

/**
 * What the HTTP routes and the inbound consumer call: the caller's plan (which also decides the band of its
 * realtime work), then admission of a parsed request, with the rate-limit headers put on the response either
 * way (a refused caller still learns when to come back).
 */
@Injectable()
export class AdmissionGate {
  constructor(
    private readonly admit: AdmitRequestUseCase,
    private readonly registry: RequestRegistry,
  ) {}

  plan(caller: PlanSubject): EffectivePlan {
    return this.admit.planFor(caller);
  }

  /**
   * The model tiers a plan's requests may be routed to: its tiers plus those of the models it names beyond
   * them. Sent with the request, so routing (`auto`, task and complexity rules) can never pick a model the plan
   * may not use even when the caller named a route.
   */
  allowedTiers(plan: EffectivePlan): Array<'small' | 'medium' | 'large'> {
    return this.admit.allowedTiers(plan);
  }

  /** The tier a plan's realtime work runs as (AcceptRequestCommand picks the band from it). */
  tierOf(plan: EffectivePlan): 'paid' | 'free' {
    return plan.band === 'realtime-paid' ? 'paid' : 'free';
  }

  async enter(caller: Caller, plan: EffectivePlan, command: AcceptRequestCommand, res?: Response): Promise<Admission> {
    try {
      const admission = await this.admit.execute({
        replay: await this.isReplay(command),
        subject: { tenantId: caller.tenantId, tier: caller.tier, apiKeyId: caller.apiKeyId },
        plan,
        requestId: command.requestId,
        mode: command.mode,
        priority: command.priority,
        body: command.body,
        userId: command.userId,
        feature: command.feature,
      });
      if (res) for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
      return admission;
    } catch (err) {
      if (res && err instanceof RateLimitRefusal) for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      throw err;
    }
  }

  /** Runs the acceptance of an admitted request; if it fails, the request never ran and its in-flight slot is freed. */
  async accepting<T>(admission: Admission, accept: () => Promise<T>): Promise<T> {
    try {
      return await accept();
    } catch (err) {
      await admission.inFlight.release().catch(() => undefined);
      throw err;
    }
  }

  /**
   * A request id already accepted with the same body is a replay (a retried Idempotency-Key, a redelivered
   * inbound event): it is answered from the first request and must not count against limits or budgets twice.
   * Only caller-chosen ids can repeat, so only they cost this lookup.
   */
  private async isReplay(command: AcceptRequestCommand): Promise<boolean> {
    if (command.idempotencyKey === undefined && command.upstreamId === undefined) return false;
    const earlier = await this.registry.find(command.tenantId, command.requestId);
    return earlier?.accepted === true && earlier.fingerprint === command.fingerprint;
  }
}
