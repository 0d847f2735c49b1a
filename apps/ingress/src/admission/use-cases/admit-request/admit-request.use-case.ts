import { Inject, Injectable } from '@nestjs/common';
import type { Catalog } from '@llm/catalog';
import type { ChatRequestBody, Priority, RequestMode } from '@llm/contracts';
import { BudgetStore } from '@llm/budgets';
import { hashUserId, MetricsRegistry } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { AdmissionError } from '../../admission.errors';
import { ADMISSION_SETTINGS, CATALOG, type AdmissionSettings } from '../../admission.tokens';
import { worstCase } from '../../budgets/worst-case';
import { ConcurrencySlots, NOTHING, type Slot } from '../../concurrency/concurrency-slots';
import { deadlineBudgetS } from '../../../config/ingress.config';
import { allowedTiers, modelAccess } from '../../plans/model-access';
import { screenTexts, userTurnsText } from '@llm/screening';
import { PlanBook, type EffectivePlan, type PlanSubject } from '../../plans/plan-book';
import { limitChecks } from '../../rate-limits/rate-limit-plan';
import { RateLimits } from '../../rate-limits/rate-limits';
import { LoadShedder } from '../../shedding/load-shedder';
import { PromptTokenMemo } from '../../tokens/prompt-token-memo';

export interface AdmitCommand {
  /** The id was already accepted with this body: no limits, budget or shedding again (a connection slot still). */
  replay?: boolean;
  subject: Required<PlanSubject>;
  plan: EffectivePlan;
  requestId: string;
  mode: RequestMode;
  priority: Priority;
  body: ChatRequestBody;
  userId?: string;
  feature?: string;
}

export interface Admission {
  /** `x-ratelimit-*` headers for the response. */
  headers: Record<string, string>;
  promptTokens: number;
  /** The connection's concurrency slot: release it when the response ends. */
  slot: Slot;
  /** The request's in-flight slot: released when its outcome arrives, or at once if it is not accepted after all. */
  inFlight: Slot;
}

const HELD: ReadonlySet<RequestMode> = new Set(['sync', 'stream']);

/**
 * Admission control (DESIGN.md step 1), before a request is made durable: model access by plan, load shedding
 * by band, rate limits per key/tenant/model/user on requests and prompt tokens, and concurrency caps on held
 * connections. The shedding decision uses a cached lag reading; limits and the slot go out in the same tick,
 * so the client pipelines them into one Redis round trip.
 */
@Injectable()
export class AdmitRequestUseCase {
  private readonly decisions: Counter<'decision'>;
  private readonly screening: Counter<'decision' | 'family'>;
  private readonly promptTokenMemo = new PromptTokenMemo();

  constructor(
    private readonly plans: PlanBook,
    private readonly limits: RateLimits,
    private readonly slots: ConcurrencySlots,
    private readonly shedder: LoadShedder,
    private readonly budgets: BudgetStore,
    @Inject(CATALOG) private readonly catalog: Catalog,
    @Inject(ADMISSION_SETTINGS) private readonly settings: AdmissionSettings,
    metrics: MetricsRegistry,
  ) {
    this.screening = metrics.counter('ingress_prompt_screening_total', 'Prompt-injection screening decisions by action and pattern family', ['decision', 'family']);
    this.decisions = metrics.counter('ingress_admission_total', 'Admission decisions by outcome code (admitted or the refusal code)', ['decision']);
  }

  planFor(subject: PlanSubject): EffectivePlan {
    return this.plans.resolve(subject);
  }

  allowedTiers(plan: EffectivePlan): Array<'small' | 'medium' | 'large'> {
    return allowedTiers(this.catalog, plan);
  }

  async execute(command: AdmitCommand): Promise<Admission> {
    try {
      const admission = await this.admit(command);
      this.decisions.inc({ decision: 'admitted' });
      return admission;
    } catch (err) {
      if (err instanceof AdmissionError) this.decisions.inc({ decision: err.code });
      throw err;
    }
  }

  private async admit(command: AdmitCommand): Promise<Admission> {
    const { plan, subject, body } = command;
    const access = modelAccess(this.catalog, plan, body.model);
    if (!access.allowed) {
      throw access.reason === 'unknown'
        ? new AdmissionError('MODEL_NOT_FOUND', `the model \`${body.model}\` does not exist; GET /v1/models lists the models you may use`)
        : new AdmissionError('MODEL_NOT_ALLOWED', `the ${plan.id} plan may not use the model \`${body.model}\`; GET /v1/models lists the models you may use`);
    }
    const screened = this.screen(plan, body);
    if (!this.settings.ADMISSION_LIMITS) return { headers: screened, promptTokens: 0, slot: NOTHING, inFlight: NOTHING };
    const replay = command.replay === true;
    if (!replay) await this.shedder.admit(command.priority);
    const promptTokens = this.promptTokenMemo.promptTokens(body.messages);
    const checks = replay ? [] : limitChecks(plan.limits, { tenantId: subject.tenantId, apiKeyId: subject.apiKeyId, model: body.model, userId: command.userId }, promptTokens);
    const held = HELD.has(command.mode);
    const cost = worstCase(this.catalog, body, promptTokens, this.settings.BUDGET_DEFAULT_MAX_TOKENS);
    const budgetSubject = { tenantId: subject.tenantId, userHash: command.userId === undefined ? null : hashUserId(command.userId), feature: command.feature ?? null };
    // All four go out in one tick: the client pipelines them into one round trip.
    const [decision, slot, budget, inFlight] = await Promise.allSettled([
      this.limits.consume(checks),
      held
        ? this.slots.acquire({
            tenantId: subject.tenantId,
            apiKeyId: subject.apiKeyId,
            holder: command.requestId,
            tenantCap: plan.concurrency.tenant,
            keyCap: plan.concurrency.key,
            ttlMs: this.settings.SYNC_TIMEOUT_MS + this.settings.CONCURRENCY_SLOT_GRACE_MS,
          })
        : Promise.resolve({ release: async () => undefined }),
      this.settings.ADMISSION_BUDGETS && !replay ? this.budgets.reserve(budgetSubject, command.requestId, cost) : Promise.resolve({ ok: true as const, alreadyReserved: false }),
      // A replay's first request holds the slot already.
      replay
        ? Promise.resolve(NOTHING)
        : this.slots.acquireInFlight({
            tenantId: subject.tenantId,
            apiKeyId: subject.apiKeyId,
            requestId: command.requestId,
            tenantCap: plan.concurrency.in_flight_tenant,
            keyCap: plan.concurrency.in_flight_key,
            ttlMs: deadlineBudgetS(this.settings, command.priority) * 1000 + this.settings.CONCURRENCY_SLOT_GRACE_MS,
          }),
    ]);
    const budgetRefused = budget.status === 'fulfilled' && !budget.value.ok ? budget.value : undefined;
    const failed = decision.status === 'rejected' || slot.status === 'rejected' || budget.status === 'rejected' || inFlight.status === 'rejected' || budgetRefused !== undefined;
    if (failed) {
      // Whatever was taken is given back: a refused request holds no limit, slot or budget.
      await Promise.allSettled([
        decision.status === 'fulfilled' ? this.limits.refund(checks) : undefined,
        slot.status === 'fulfilled' ? slot.value.release() : undefined,
        inFlight.status === 'fulfilled' ? inFlight.value.release() : undefined,
        budget.status === 'fulfilled' && budget.value.ok && !budget.value.alreadyReserved ? this.budgets.release(subject.tenantId, command.requestId) : undefined,
      ]);
      if (decision.status === 'rejected') throw decision.reason;
      if (slot.status === 'rejected') throw slot.reason;
      if (inFlight.status === 'rejected') throw inFlight.reason;
      if (budget.status === 'rejected') throw new AdmissionError('UNAVAILABLE', 'budgets are unavailable; retry shortly', true, { cause: budget.reason, retryAfterS: 1 });
      const { scope, period } = budgetRefused!.exceeded;
      throw new AdmissionError(
        'BUDGET_EXCEEDED',
        `the ${scope} ${period === 'day' ? 'daily' : 'monthly'} budget cannot cover this request's worst case (${cost.micros} µ$, ${cost.tokens} tokens)`,
        false,
      );
    }
    // Not awaited (the result it serves is seconds away); lost, it only leaves this request's completion tokens uncounted.
    void this.limits.rememberTokenChecks(subject.tenantId, command.requestId, checks).catch(() => undefined);
    return { headers: { ...decision.value.headers, ...screened }, promptTokens, slot: slot.value, inFlight: inFlight.value };
  }

  /**
   * Screens the user turns with the plan's pattern set and applies its action; returns the response headers that
   * say a request was flagged. Only pattern families are reported or counted: the prompt is never logged.
   */
  private screen(plan: EffectivePlan, body: ChatRequestBody): Record<string, string> {
    const policy = plan.screening;
    if (policy.pattern_set === 'off') return {};
    const result = screenTexts(userTurnsText(body.messages), policy.pattern_set);
    if (!result.flagged) {
      this.screening.inc({ decision: 'clean', family: 'none' });
      return {};
    }
    for (const family of result.families) this.screening.inc({ decision: policy.action, family });
    const header = { 'x-prompt-screening': `flagged; action=${policy.action}; families=${result.families.join(',')}` };
    switch (policy.action) {
      case 'tag':
        return header;
      case 'block':
        throw new AdmissionError('PROMPT_INJECTION', `the request looks like a prompt injection (${result.families.join(', ')}) and this plan refuses those`);
      case 'route':
        // The safer model the plan names answers instead; the caller sees it in the answer's `model`.
        body.model = policy.route_model!;
        return header;
    }
  }
}
