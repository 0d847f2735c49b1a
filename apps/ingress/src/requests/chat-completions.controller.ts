import { unavailableOnFailure } from '@llm/errors';
import { Body, Controller, Headers, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { LlmResultV1 } from '@llm/contracts';
import { RequestCancellation, ResultStreamReader } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import type { Request, Response } from 'express';
import { AdmissionGate } from '../admission/admission-gate';
import { ApiKeyGuard, CurrentPrincipal, type Principal } from '@llm/tenant-auth';
import { INGRESS_CONFIG, type IngressConfig } from '../config/ingress.config';
import { ClientDisconnect } from './client-disconnect';
import { toHttpOutcome } from './completion.mapper';
import { RequestStatusStore } from './request-status.repository';
import { RequestError } from './requests.errors';
import { ragOptionsOf } from './rag-options';
import { SseWriter } from './sse.writer';
import { AcceptRequestCommand } from './use-cases/accept-request/accept-request.command';
import { AcceptRequestUseCase } from './use-cases/accept-request/accept-request.use-case';
import { waitBudget } from './wait-budget';

/**
 * OpenAI-compatible `POST /v1/chat/completions`: the request is made durable first, then the caller waits, at
 * most until the request's deadline. A caller that leaves cancels its request, so abandoned work stops.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(
    private readonly accept: AcceptRequestUseCase,
    private readonly gate: AdmissionGate,
    private readonly streams: ResultStreamReader,
    private readonly cancellation: RequestCancellation,
    private readonly statusStore: RequestStatusStore,
    @Inject(INGRESS_CONFIG) private readonly config: Pick<IngressConfig, 'SYNC_TIMEOUT_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('chat/completions')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers() headers: Record<string, string | undefined>,
    @Req() req: Request & { requestId?: string },
    @Res() res: Response,
  ): Promise<void> {
    const disconnect = new ClientDisconnect(req, res);
    let releaseSlot: (() => Promise<void>) | undefined;
    let releaseInFlight: (() => Promise<void>) | undefined;
    try {
      const plan = this.gate.plan(principal);
      const command = AcceptRequestCommand.create({
        tenantId: principal.tenantId,
        allowedTiers: this.gate.allowedTiers(plan),
        screening: plan.screening,
        tier: this.gate.tierOf(plan),
        mode: 'sync',
        body,
        rag: ragOptionsOf(body),
        priorityHint: headers['x-priority'],
        idempotencyKey: headers['idempotency-key'],
        userId: headers['x-user-id'],
        feature: headers['x-feature'],
        cache: headers['x-llm-cache'],
      });
      // Read-only, and in the same round trip as the admission's commands; used only once the request is admitted.
      const prefetched = this.accept.prefetch(command);
      const admission = await this.gate.enter(principal, plan, command, res);
      releaseSlot = admission.slot.release;
      const { requestId, deadlineAt, replay, answer } = await this.gate.accepting(admission, () => this.accept.execute(command, undefined, prefetched));
      req.requestId = requestId;
      // Answered by ingress from the exact cache: the same frames and headers as a hit the cache service answers.
      // Its result is marked recorded, so the results consumer will not free its in-flight slot: this does.
      if (answer) {
        releaseInFlight = admission.inFlight.release;
        return this.answerNow(res, command, requestId, answer.result, body, answer.streamEntryId);
      }
      const wait = waitBudget(this.config.SYNC_TIMEOUT_MS, deadlineAt);
      if (replay) {
        // A replay of a finished request is answered from its recorded outcome (its stream may have expired).
        const recorded = (await this.statusStore.find(principal.tenantId, requestId))?.result;
        if (recorded) return this.answerNow(res, command, requestId, recorded, body, '0-0');
        if (wait.expired()) throw new RequestError('REQUEST_NOT_FOUND', `request ${requestId} ran once already and its outcome is no longer kept; it is not run again`);
      }
      let finished = false;
      // A request someone may come back for (a replay, or one sent with an Idempotency-Key so that a dropped
      // connection can be retried) is not cancelled when one of its callers leaves.
      if (!replay && command.idempotencyKey === undefined) {
        disconnect.onGone(() => {
          if (finished) return;
          this.cancellation
            .cancel(principal.tenantId, requestId)
            .catch((err: unknown) => this.logger.warn({ err, request_id: requestId }, 'could not cancel an abandoned request'));
        });
      }

      if (command.mode === 'stream') {
        const includeUsage = (body as { stream_options?: { include_usage?: unknown } }).stream_options?.include_usage === true;
        const sse = new SseWriter(res, requestId, command.body.model, includeUsage);
        const result = await unavailableOnFailure('the request store', () =>
          this.streams.follow(principal.tenantId, requestId, {
            timeoutMs: wait.timeoutMs,
            signal: disconnect.signal,
            onEntry: ({ id, event }) => {
              // Headers wait for the first event: a failure known before the first byte gets its real status.
              if (!sse.opened && event.type === 'terminal' && event.result.status !== 'succeeded') return;
              sse.write(id, event);
            },
          }),
        );
        finished = result !== undefined;
        if (disconnect.gone) return;
        if (sse.opened) {
          if (!result) sse.timeout(wait.expired());
          return;
        }
        return this.answer(res, requestId, result, wait.expired());
      }

      const result = await unavailableOnFailure('the request store', () =>
        this.streams.follow(principal.tenantId, requestId, { timeoutMs: wait.timeoutMs, signal: disconnect.signal }),
      );
      finished = result !== undefined;
      if (disconnect.gone) return;
      this.answer(res, requestId, result, wait.expired());
    } finally {
      disconnect.dispose();
      // The connection's concurrency slot (and a fast-path hit's in-flight slot), released in the same tick so
      // they share one Redis write; if one is lost, that slot frees itself at its expiry.
      releaseSlot?.().catch((err: unknown) => this.logger.warn({ err }, 'could not release a concurrency slot'));
      releaseInFlight?.().catch((err: unknown) => this.logger.warn({ err }, 'could not release the in-flight slot of a cache hit'));
    }
  }

  /** A result known before any wait (a replay's recorded outcome, a fast-path hit) answered in the caller's mode. */
  private answerNow(res: Response, command: AcceptRequestCommand, requestId: string, result: LlmResultV1, body: unknown, streamEntryId: string): void {
    if (command.mode !== 'stream' || result.status !== 'succeeded') return this.answer(res, requestId, result, false);
    const includeUsage = (body as { stream_options?: { include_usage?: unknown } }).stream_options?.include_usage === true;
    // The whole answer as one chunk, then [DONE]: the same frames a cache hit streams.
    new SseWriter(res, requestId, command.body.model, includeUsage).write(streamEntryId, { type: 'terminal', result });
  }

  private answer(res: Response, requestId: string, result: LlmResultV1 | undefined, expired: boolean): void {
    if (!result) {
      if (expired) throw new RequestError('EXPIRED', `request ${requestId} passed its deadline without an answer`);
      throw new RequestError('REQUEST_TIMEOUT', `no answer in time; the request goes on: poll GET /v1/requests/${requestId}`, true);
    }
    const outcome = toHttpOutcome(result);
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-cache', result.source !== 'cache' ? 'MISS' : result.cache_hit?.kind === 'semantic' ? 'HIT-SEMANTIC' : 'HIT-EXACT');
    if (result.cache_hit?.similarity !== undefined) res.setHeader('x-cache-similarity', result.cache_hit.similarity.toFixed(4));
    if (outcome.retryAfterS !== undefined) res.setHeader('Retry-After', String(outcome.retryAfterS));
    res.status(outcome.status).json(outcome.body);
  }
}
