import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { cacheHitOutcome } from '@llm/cache-key';
import { Topics, type ChatCompletion, type EscalationRecord, type InferenceRequestV1, type LlmResultV1, type RouteRequestV1, type RouteTarget, type UsageV1 } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { citationsOf } from '@llm/rag';
import { RequestCancellation, ResultPublisher, answeredResult, isExpired, unansweredResult, usageEvent } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import { requestLogFields, type Logger } from '@llm/telemetry';
import { callCostMicros } from '@llm/tokens';
import { BatchSubmitter } from '../../batch-api/batch-submitter';
import type { CallOutcome, CallSpec } from '../../calls/provider-call.runner';
import { escalationChecks, judgeAnswer, questionOf, type EscalationChecks } from '../../escalation/escalation-check';
import { InferenceError } from '../../inference.errors';
import { CallOutbox, RequestLease, type LeaseHandle, type StoredOutcome } from '../../outbox/call-outbox';
import { GuardedCallRunner, type GuardedCallOptions } from '../../resilience/guarded-call.runner';
import { InferencePolicies } from '../../resilience/inference-policies';
import type { RunInferenceCommand } from './run-inference.command';
import { abortableSleep } from '../../resilience/abortable-sleep';

export type ResultSink = Pick<ResultPublisher, 'publish' | 'appendDelta' | 'appendReset'>;
export type CallRunner = { run(spec: CallSpec, options?: GuardedCallOptions): Promise<CallOutcome> };
export type CancellationCheck = Pick<RequestCancellation, 'isCancelled' | 'watch'>;

/**
 * Runs a routed request: one worker at a time (a per-request lease), each call's outcome made durable in the
 * outbox before it is published, so a redelivery republishes instead of calling again. Targets are tried in
 * order behind their breakers and shared limits; when every target failed transiently the plan is tried
 * again after a full-jitter backoff (at most INFERENCE_MAX_RETRIES rounds, within the retry budget, the
 * deadline and Retry-After), then the exact cache or a degradation error answers. A structured answer that
 * fails validation is asked again with the reason. A call that failed after streaming is voided with a reset
 * event, and every call that consumed tokens is charged once (failed, invalid and cancelled ones too).
 */
@Injectable()
export class RunInferenceUseCase {
  constructor(
    @Inject(GuardedCallRunner) private readonly runner: CallRunner,
    private readonly outbox: CallOutbox,
    private readonly lease: RequestLease,
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: ResultSink,
    @Inject(RequestCancellation) private readonly cancellation: CancellationCheck,
    private readonly policies: InferencePolicies,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(BatchSubmitter) private readonly batchApi?: Pick<BatchSubmitter, 'accepts' | 'submit'>,
  ) {}

  private readonly alerted = new Map<string, number>();
  private warnedNoAnswerCheck = false;

  async execute(command: RunInferenceCommand): Promise<void> {
    const { request } = command;
    const waitUntil = Date.now() + this.policies.settings.INFERENCE_LEASE_WAIT_MS;
    for (;;) {
      // Both in one round trip (auto-pipelined on one connection, in this order): the outbox read sees every
      // write made before this lease was taken, so under the lease it is the request's current state.
      const [lease, stored] = await Promise.all([
        this.lease.acquire(request.tenant_id, request.request_id, this.policies.settings.INFERENCE_LEASE_MS),
        this.outbox.load(request.tenant_id, request.request_id),
      ]);
      if (lease) return this.runHolding(command, lease, stored);
      if (stored.result) return this.republish(stored, stored.result);
      // Another worker holds the request (a rebalance handed the message to two members): never call twice.
      // Wait for its outcome (or its lease to lapse), then hand the message back if it is still busy.
      if (Date.now() >= waitUntil) throw new InferenceError('REQUEST_IN_PROGRESS', 'another worker is running this request', true);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.ceil(this.policies.settings.INFERENCE_LEASE_MS / 10))));
    }
  }

  private async runHolding(command: RunInferenceCommand, lease: LeaseHandle, current: StoredOutcome): Promise<void> {
    const { request } = command;
    const hold: LeaseState = { lost: false, stop: new AbortController() };
    const renewal = setInterval(
      () => {
        lease.renew().then(
          (held) => {
            if (held) return;
            // Another worker may own the request now: stop calling and finishing, or it is paid for twice.
            hold.lost = true;
            hold.stop.abort();
            this.logger.warn({ request_id: request.request_id }, 'request lease lost while running; stopping');
          },
          (err: unknown) => this.logger.warn({ err, request_id: request.request_id }, 'request lease renewal failed'),
        );
      },
      Math.max(100, Math.floor(this.policies.settings.INFERENCE_LEASE_MS / 3)),
    );
    try {
      // A finished request (redelivered, or finished by the previous holder) is republished, never run again.
      if (current.result) return await this.republish(current, current.result);
      // The caller's cancel arrives as a notification and stops the running call at once (no polling).
      const unwatch = await this.cancellation.watch(request.tenant_id, request.request_id, () => hold.stop.abort());
      try {
        await this.run(command, current, hold);
      } finally {
        await unwatch().catch((err: unknown) => this.logger.warn({ err, request_id: request.request_id }, 'could not stop watching for a cancel'));
      }
    } finally {
      clearInterval(renewal);
      await lease.release().catch((err: unknown) => this.logger.warn({ err, request_id: request.request_id }, 'request lease release failed'));
    }
  }

  private async run(command: RunInferenceCommand, prior: StoredOutcome, hold: LeaseState): Promise<void> {
    const { request } = command;
    if (this.batchApi && request.priority === 'batch' && request.mode !== 'stream') {
      // Already a line of a provider batch: the batch poller finishes it; calling now would call twice.
      if (prior.batch) return;
      const primary = request.plan.targets[0]!;
      if (this.batchApi.accepts(primary)) {
        const callId = await this.outbox.nextCallId(request.tenant_id, request.request_id);
        if (hold.lost) throw leaseLost();
        return this.batchApi.submit(request, primary, callId);
      }
    }
    // Calls of an earlier delivery (stored, maybe never published) go out with this delivery's outcome; the
    // ledger dedups by call_id.
    const charged: UsageV1[] = [...prior.usages];
    if (request.mode === 'stream' && prior.calls > 0) {
      await this.results.appendReset(request.tenant_id, request.request_id, { call_id: `c${prior.calls}`, reason: 'redelivered' });
    }
    const notAfter = request.deadline_at ? Date.parse(request.deadline_at) : undefined;
    const failures: InferenceError[] = [];
    let body = request.body;
    let jsonRetries = 0;
    this.policies.requestStarted();
    for (let round = 0; ; round++) {
      const roundFailures: InferenceError[] = [];
      let stopped = false;
      // Set when a checked answer was found unsure: targets before the escalation one are skipped, and the
      // checked answer is held, to be returned if the escalation cannot answer.
      let held: HeldAnswer | undefined;
      let escalating = false;
      targets: for (const [i, target] of request.plan.targets.entries()) {
        if (escalating && target.role !== 'escalation') continue;
        escalating = false;
        const checks = escalationChecks(request, target, i);
        for (;;) {
          if (hold.lost) throw leaseLost();
          if (isExpired(request))
            return held
              ? this.keepHeld(command, held, charged, 'deadline')
              : this.finish(command, charged, {
                  status: 'expired',
                  error: { code: 'EXPIRED', message: 'the request deadline passed before a model answered', retryable: false },
                });
          if (hold.stop.signal.aborted) return this.finish(command, charged, cancelled());
          const callId = await this.outbox.nextCallId(request.tenant_id, request.request_id);
          const started = Date.now();
          const outcome = await this.runner.run(
            {
              target,
              body: checks?.meanLogprobBelow !== undefined ? { ...body, logprobs: true } : body,
              stream: request.mode === 'stream',
              callId: `${request.tenant_id}/${request.request_id}/${callId}`,
              onDelta: async (content, index) =>
                void (await this.results.appendDelta(request.tenant_id, request.request_id, { index, content, model: target.model, call_id: callId })),
              stop: hold.stop.signal,
              priority: request.priority,
            },
            { batch: request.priority === 'batch', ...(notAfter !== undefined ? { notAfter } : {}) },
          );
          const problem = outcome.ok ? this.policies.structured.problem(body, outcome.completion) : undefined;
          // Escalation (route plan: confidence or the answer-check cascade): a valid answer the check finds unsure
          // is held (and charged) while the escalation target is asked.
          const verdict = outcome.ok && problem === undefined && checks ? this.judge(request, target, checks, outcome.completion) : undefined;
          // A successful call's usage is stored with its result, in one write (succeed); any other is stored now.
          const step = fallbackStep(target, i);
          const usage = await this.charge(command, target, step, callId, outcome, Date.now() - started, !outcome.ok || problem !== undefined || verdict?.escalate === true);
          if (usage) charged.push(usage);
          if (hold.lost) {
            // The new holder finishes the request; what this call consumed is charged here.
            for (const u of charged) await this.events.publish(Topics.usage, u);
            throw leaseLost();
          }
          if (outcome.ok && verdict?.escalate) {
            this.logger.debug({ request_id: request.request_id, model: target.model, check: verdict.record.check, score: verdict.record.score }, 'escalating to a larger model');
            held = { target, step, outcome: this.ownCompletion(request, checks, outcome), usage: usage!, record: verdict.record, fallbackUsed: i > 0 || round > 0 };
            escalating = true;
            continue targets;
          }
          if (outcome.ok && problem === undefined) {
            const record = held && target.role === 'escalation' ? held.record : verdict?.record;
            return this.succeed(command, target, step, this.ownCompletion(request, checks, outcome), usage!, charged, i > 0 || round > 0, record);
          }
          if (outcome.ok) {
            // A structured answer that does not validate: void it, then ask the same model again with the reason.
            if (outcome.deltas > 0) await this.results.appendReset(request.tenant_id, request.request_id, { call_id: callId, reason: 'STRUCTURED_OUTPUT_INVALID' });
            if (jsonRetries >= this.policies.settings.INFERENCE_JSON_RETRIES) {
              const message = `the model's answer failed validation ${jsonRetries + 1} times; last: ${problem}`;
              return this.finish(command, charged, { status: 'failed', error: { code: 'STRUCTURED_OUTPUT_INVALID', message: message.slice(0, 2_000), retryable: false } }, target);
            }
            jsonRetries++;
            body = this.policies.structured.withFeedback(body, outcome.completion, problem!);
            continue;
          }
          const { error } = outcome;
          if (!outcome.notCalled) this.logger.warn({ request_id: request.request_id, model: target.model, call_id: callId, code: error.code }, 'target failed');
          // The caller saw part of this call's answer: void it before anything else is streamed.
          if (outcome.deltas > 0) await this.results.appendReset(request.tenant_id, request.request_id, { call_id: callId, reason: error.code });
          if (outcome.cancelled) return this.finish(command, charged, cancelled(), target);
          // The escalation could not answer: the held answer was valid, only unsure, and is better than none.
          if (held && target.role === 'escalation') return this.keepHeld(command, held, charged, 'escalation-failed');
          if (error.code === 'PROVIDER_MISCONFIGURED') await this.alertMisconfigured(request, target, error);
          failures.push(error);
          roundFailures.push(error);
          if (!error.fallsBack) {
            stopped = true;
            break targets;
          }
          break;
        }
      }
      if (stopped || !roundFailures.every((f) => f.retryable)) break;
      const next = this.policies.nextRound(round, roundFailures, notAfter);
      if (!next.retry) break;
      await abortableSleep(next.delayMs, hold.stop.signal);
    }
    const last = failures.at(-1);
    if (last && failures.every((f) => f.retryable)) return this.lastResort(command, charged, last);
    const error = last
      ? { code: last.code, message: last.message, retryable: last.retryable, ...(last.retryAfterS !== undefined ? { retry_after_s: last.retryAfterS } : {}) }
      : { code: 'ALL_TARGETS_FAILED', message: 'no target could serve the request', retryable: false };
    await this.finish(command, charged, { status: 'failed', error });
  }

  /**
   * Every target failed transiently and the retries are spent (or would not help): answer from the exact
   * cache when it holds this request's answer now, else with a degradation error that says when to come back.
   * Never a redelivery: one outage would otherwise be retried by every Kafka attempt on top of the worker's own.
   */
  private async lastResort(command: RunInferenceCommand, charged: UsageV1[], last: InferenceError): Promise<void> {
    const { request } = command;
    const hit = await this.policies.cachedAnswer(request);
    if (hit) {
      const hitOutcome = cacheHitOutcome(request, hit, command.attempt);
      const usage: UsageV1 = { ...hitOutcome.usage, fallback: true, fallback_step: 'cached-answer' };
      const answered: LlmResultV1 = { ...hitOutcome.result, cost_micros: totalCost(charged), fallback_used: true, fallback_step: 'cached-answer' };
      await this.outbox.saveResult(answered, [usage]);
      return this.publishOutcome([...charged, usage], answered);
    }
    const retryAfterS = Math.max(1, last.retryAfterS ?? 1);
    await this.finish(command, charged, {
      status: 'failed',
      error: {
        code: 'MODELS_UNAVAILABLE',
        message: `No model can answer right now (every deployment for this request is failing; last: ${last.code}). Please try again in ${retryAfterS} s.`,
        retryable: true,
        retry_after_s: retryAfterS,
      },
    });
  }

  /**
   * Stores the usage of a call that consumed tokens. It is published with the request's outcome, after that
   * outcome is stored too: a publish that fails (broker restart) then leads to a redelivery that republishes
   * the stored outcome, never to a second provider call.
   */
  private async charge(
    command: RunInferenceCommand,
    target: RouteTarget,
    step: FallbackStep,
    callId: string,
    outcome: CallOutcome,
    latencyMs: number,
    store: boolean,
  ): Promise<UsageV1 | undefined> {
    if (!outcome.tokens) return undefined;
    const { tokensIn, cachedIn, tokensOut, estimated } = outcome.tokens;
    const usage = usageEvent(command.request, {
      fallback: step !== 'primary',
      fallback_step: step,
      call_id: callId,
      attempt: command.attempt,
      model: target.model,
      provider: target.provider,
      deployment: target.deployment,
      source: 'model',
      status: outcome.ok ? 'succeeded' : outcome.cancelled ? 'cancelled' : 'failed',
      tokens_in: tokensIn,
      tokens_cached_in: cachedIn,
      tokens_out: tokensOut,
      tokens_estimated: estimated,
      cost_micros: callCostMicros(
        { tokensIn, cachedIn, tokensOut },
        { inPerMtok: target.price_in_micros_per_mtok, cachedInPerMtok: target.price_cached_in_micros_per_mtok, outPerMtok: target.price_out_micros_per_mtok },
      ),
      latency_ms: latencyMs,
    });
    if (store) await this.outbox.saveUsage(usage);
    return usage;
  }

  private async succeed(
    command: RunInferenceCommand,
    target: RouteTarget,
    step: FallbackStep,
    outcome: Extract<CallOutcome, { ok: true }>,
    usage: UsageV1,
    charged: UsageV1[],
    fallbackUsed: boolean,
    escalation?: EscalationRecord,
  ): Promise<void> {
    const { request } = command;
    const answered = answeredResult(request, {
      fallback_step: step,
      source: 'model',
      model: target.model,
      provider: target.provider,
      response: withCitations(outcome.completion, request.context),
      usage: outcome.completion.usage ?? { prompt_tokens: usage.tokens_in, completion_tokens: usage.tokens_out, total_tokens: usage.tokens_in + usage.tokens_out },
      // What the request cost: the answer plus every failed call before it.
      cost_micros: totalCost(charged),
      attempt: command.attempt,
      cache_key: request.cache_key,
      fallback_used: fallbackUsed,
    });
    const result: LlmResultV1 = escalation ? { ...answered, escalation } : answered;
    await this.outbox.saveResult(result, [usage]);
    await this.publishOutcome(charged, result);
    // Per request: debug, or the hot path pays a log line per request (docs/performance.md).
    this.logger.debug(
      {
        ...requestLogFields({
          request_id: request.request_id,
          tenant_id: request.tenant_id,
          user_id: request.user_id,
          model: target.model,
          tokens_in: usage.tokens_in,
          tokens_out: usage.tokens_out,
          latency_ms: result.latency_ms,
          retries: command.attempt - 1,
          fallback_triggered: fallbackUsed,
        }),
        cost_micros: result.cost_micros,
      },
      'inference completed',
    );
  }

  /** Runs the plan's checks on a valid answer; warns once when the cascade is planned but no answer-check is loaded. */
  private judge(request: InferenceRequestV1, target: RouteTarget, checks: EscalationChecks, completion: ChatCompletion) {
    const answerCheck = this.policies.answerCheck;
    if (checks.answerCheck && !answerCheck && !this.warnedNoAnswerCheck) {
      this.warnedNoAnswerCheck = true;
      this.logger.warn({ request_id: request.request_id }, 'the route plan asks for the answer-check but none is loaded: answers are kept');
    }
    return judgeAnswer({ checks, model: target.model, question: questionOf(request.body), completion, answerCheck, deadlinePassed: isExpired(request) });
  }

  /** The caller did not ask for logprobs: the ones requested for the confidence check are not theirs. */
  private ownCompletion(request: InferenceRequestV1, checks: EscalationChecks | undefined, outcome: Extract<CallOutcome, { ok: true }>) {
    return checks?.meanLogprobBelow !== undefined && !request.body.logprobs ? { ...outcome, completion: withoutLogprobs(outcome.completion) } : outcome;
  }

  /** Answers with the held (unsure) answer: the escalation cannot run in time or could not answer. */
  private keepHeld(command: RunInferenceCommand, held: HeldAnswer, charged: UsageV1[], reason: 'deadline' | 'escalation-failed'): Promise<void> {
    return this.succeed(command, held.target, held.step, held.outcome, held.usage, charged, held.fallbackUsed, { ...held.record, escalated: false, reason });
  }

  private async finish(
    command: RunInferenceCommand,
    charged: UsageV1[],
    end: Pick<Parameters<typeof unansweredResult>[1], 'status' | 'error'>,
    target?: RouteTarget,
  ): Promise<void> {
    const result = unansweredResult(command.request, {
      ...end,
      attempt: command.attempt,
      cache_key: command.request.cache_key,
      cost_micros: totalCost(charged),
      ...(target ? { model: target.model, provider: target.provider } : {}),
    });
    await this.outbox.saveResult(result);
    await this.publishOutcome(charged, result);
  }

  private async republish(stored: StoredOutcome, result: LlmResultV1): Promise<void> {
    await this.publishOutcome(stored.usages, result);
  }

  /**
   * Usage and result together (one produce request), and the caller is told only once both are acknowledged;
   * if either fails, the redelivery republishes both from the outbox.
   */
  private async publishOutcome(usages: readonly UsageV1[], result: LlmResultV1): Promise<void> {
    const usagesSent = Promise.all(usages.map((usage) => this.events.publish(Topics.usage, usage)));
    const resultSent = this.results.publish(
      result,
      usagesSent.then(() => undefined),
    );
    await Promise.all([usagesSent, resultSent]);
  }

  /** One alert per deployment a minute: every request routed there fails the same way until an operator acts. */
  private async alertMisconfigured(request: InferenceRequestV1, target: RouteTarget, error: InferenceError): Promise<void> {
    const where = `${target.provider}/${target.deployment}`;
    const last = this.alerted.get(where);
    if (last !== undefined && Date.now() - last < ALERT_EVERY_MS) return;
    this.alerted.set(where, Date.now());
    await this.events.publish(Topics.alerts, {
      alert_id: randomUUID(),
      tenant_id: request.tenant_id,
      kind: 'provider_misconfigured',
      severity: 'critical',
      message: `${error.message} (model ${target.model}); requests fall back to the next target until it is fixed`,
      value_micros: 0,
      threshold_micros: 0,
      raised_at: new Date().toISOString(),
    });
  }
}

const ALERT_EVERY_MS = 60_000;

/** A valid answer the escalation check found unsure, kept until the escalation target answers. */
interface HeldAnswer {
  target: RouteTarget;
  step: FallbackStep;
  outcome: Extract<CallOutcome, { ok: true }>;
  usage: UsageV1;
  record: EscalationRecord;
  fallbackUsed: boolean;
}

function withoutLogprobs(completion: ChatCompletion): ChatCompletion {
  return { ...completion, choices: completion.choices.map((c) => ({ ...c, logprobs: null })) };
}

function cancelled() {
  return { status: 'cancelled' as const, error: { code: 'CANCELLED', message: 'the caller cancelled the request', retryable: false } };
}

function totalCost(usages: readonly UsageV1[]): number {
  return usages.reduce((sum, u) => sum + u.cost_micros, 0);
}

/** Where the lease stands while a request runs; the renewal timer flips it. */
interface LeaseState {
  lost: boolean;
  /** Aborted when the lease is lost or the caller cancels: the running call stops. */
  stop: AbortController;
}

function leaseLost(): InferenceError {
  return new InferenceError('REQUEST_IN_PROGRESS', 'the request lease was lost to another worker', true);
}

/** A grounded answer carries its sources beside `choices` (the retriever numbered them in `context`). */
function withCitations(completion: ChatCompletion, context: RouteRequestV1['context']): ChatCompletion {
  const citations = citationsOf(completion.choices[0]?.message.content, context);
  return citations ? { ...completion, citations } : completion;
}

type FallbackStep = NonNullable<UsageV1['fallback_step']>;

/**
 * The route plan step a target serves: its role from the router, or for a plan without roles (an older router,
 * a pinned model) primary for the first target and fallback-model for the others. Retries of the same target in
 * a later round keep its step: the step names the target, not the attempt.
 */
export function fallbackStep(target: Pick<RouteTarget, 'role'>, index: number): FallbackStep {
  return target.role ?? (index === 0 ? 'primary' : 'fallback-model');
}
