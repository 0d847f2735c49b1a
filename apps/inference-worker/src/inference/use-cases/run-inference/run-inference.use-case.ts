import { Inject, Injectable } from '@nestjs/common';
import { Topics, type LlmResultV1, type ResultError, type RouteTarget } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { ResultPublisher, resultIdentity } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import { requestLogFields, type Logger } from '@llm/telemetry';
import { costMicros } from '@llm/tokens';
import { InferenceError } from '../../inference.errors';
import { OpenAiCompatibleAdapter, type CallResult } from '../../providers/openai-compatible.adapter';
import type { RunInferenceCommand } from './run-inference.command';

/**
 * Runs a routed request: tries the plan's targets in order (fallback on retryable failures), streams deltas
 * to the request's stream when the caller streams, then charges the usage (keyed by request and attempt, so
 * a redelivery is charged once) and finishes the request. When every target failed transiently and attempts
 * remain, it throws a retryable error and the transport redelivers with the next x-attempt; otherwise the
 * caller gets a failed terminal result.
 */
@Injectable()
export class RunInferenceUseCase {
  constructor(
    private readonly adapter: OpenAiCompatibleAdapter,
    private readonly events: EventPublisher,
    private readonly results: ResultPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(command: RunInferenceCommand): Promise<void> {
    const { request, attempt } = command;
    const started = Date.now();
    const failures: InferenceError[] = [];
    for (const [i, target] of request.plan.targets.entries()) {
      let call: CallResult;
      try {
        call = await this.adapter.call(target, request.body, {
          stream: request.mode === 'stream',
          onDelta: async (content, index) => void (await this.results.appendDelta(request.tenant_id, request.request_id, { index, content, model: target.model })),
        });
      } catch (err) {
        const error = err instanceof InferenceError ? err : new InferenceError('PROVIDER_UNAVAILABLE', String(err), true, { cause: err });
        failures.push(error);
        this.logger.warn({ request_id: request.request_id, model: target.model, code: error.code }, 'target failed');
        if (!error.retryable) break;
        continue;
      }
      await this.succeed(command, target, call, Date.now() - started, i > 0);
      return;
    }
    const last = failures.at(-1);
    const transient = failures.length > 0 && failures.every((f) => f.retryable);
    if (transient && attempt < command.maxAttempts) {
      throw new InferenceError('ALL_TARGETS_FAILED', `all ${failures.length} targets failed transiently`, true, { cause: last });
    }
    await this.fail(command, last, Date.now() - started);
  }

  private async succeed(command: RunInferenceCommand, target: RouteTarget, call: CallResult, latencyMs: number, fallbackUsed: boolean): Promise<void> {
    const { request, attempt } = command;
    const cost = costMicros(call.usage.prompt_tokens, call.usage.completion_tokens, target.price_in_micros_per_mtok, target.price_out_micros_per_mtok);
    const now = new Date().toISOString();
    // Usage first: if finishing fails after it, the redelivery carries the same attempt and is not charged again.
    await this.events.publish(Topics.usage, {
      request_id: request.request_id,
      attempt,
      tenant_id: request.tenant_id,
      user_id: request.user_id,
      feature: request.feature,
      model: target.model,
      provider: target.provider,
      source: 'model',
      status: 'succeeded',
      tokens_in: call.usage.prompt_tokens,
      tokens_out: call.usage.completion_tokens,
      cost_micros: cost,
      latency_ms: latencyMs,
      occurred_at: now,
    });
    await this.results.publish({
      ...this.base(command, latencyMs, now),
      status: 'succeeded',
      source: 'model',
      model: target.model,
      provider: target.provider,
      response: { ...call.completion, model: target.model },
      usage: call.usage,
      cost_micros: cost,
      fallback_used: fallbackUsed,
    });
    this.logger.info(
      {
        ...requestLogFields({
          request_id: request.request_id,
          tenant_id: request.tenant_id,
          user_id: request.user_id,
          model: target.model,
          tokens_in: call.usage.prompt_tokens,
          tokens_out: call.usage.completion_tokens,
          latency_ms: latencyMs,
          retries: attempt - 1,
          fallback_triggered: fallbackUsed,
        }),
        cost_micros: cost,
      },
      'inference completed',
    );
  }

  private async fail(command: RunInferenceCommand, last: InferenceError | undefined, latencyMs: number): Promise<void> {
    const error: ResultError = last
      ? { code: last.code, message: last.message, retryable: last.retryable, ...(last.retryAfterS !== undefined ? { retry_after_s: last.retryAfterS } : {}) }
      : { code: 'ALL_TARGETS_FAILED', message: 'no target could serve the request', retryable: false };
    await this.results.publish({ ...this.base(command, latencyMs, new Date().toISOString()), status: 'failed', source: 'none', error });
  }

  private base(command: RunInferenceCommand, latencyMs: number, now: string): Omit<LlmResultV1, 'status' | 'source'> {
    const { request, attempt } = command;
    return {
      ...resultIdentity(request),
      cache_key: request.cache_key,
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      cost_micros: 0,
      latency_ms: latencyMs,
      attempt,
      fallback_used: false,
      completed_at: now,
    };
  }
}
