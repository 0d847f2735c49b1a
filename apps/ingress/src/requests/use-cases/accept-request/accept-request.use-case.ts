import { Inject, Injectable } from '@nestjs/common';
import { afterCacheMiss, CacheStageView } from '@llm/cache-key';
import { Topics, type LlmRequestV1 } from '@llm/contracts';
import { EventPublisher, KafkaError, realtimeActivity } from '@llm/kafka';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { deadlineBudgetS, INGRESS_CONFIG, type IngressConfig } from '../../../config/ingress.config';
import { ExactCacheFastPath, type ExactCachePrefetch, type FastPathAnswer, type FastPathLookup } from '../../exact-cache/exact-cache.fast-path';
import { RequestRegistry } from '../../identity/request-registry';
import { RequestStatusStore } from '../../request-status.repository';
import { RequestError } from '../../requests.errors';
import type { AcceptRequestCommand } from './accept-request.command';

export interface AcceptedRequest {
  requestId: string;
  /** True when an earlier request with the same id (same Idempotency-Key or upstream id) is being returned. */
  replay: boolean;
  deadlineAt: string;
  /** Set when ingress answered the request from the exact cache itself (the fast path): answer with it now. */
  answer?: FastPathAnswer;
}

type AcceptSettings = Pick<IngressConfig, 'DEADLINE_REALTIME_PAID_S' | 'DEADLINE_REALTIME_FREE_S' | 'DEADLINE_BATCH_S' | 'ACCEPTANCE_IN_PROGRESS_MS' | 'CACHE_STAGE_SKIP'>;

/**
 * Accepts a request (DESIGN.md, step 1): registers its id durably, records status `accepted`, and makes the
 * request durable in llm.requests.v1. Only after the broker acknowledged it does the caller get an answer.
 *
 * An id is never run twice: a known id with the same body is a replay (answered with the first request, not
 * published again), with another body it is refused. When the publish outcome is unknown (a timeout: the broker
 * may have kept the message), the id stays claimed and the caller is told to retry; the retry re-publishes the
 * same request id, which the pipeline deduplicates. Only a definite refusal frees the id.
 *
 * A new request that is an exact-cache hit is finished here instead (ExactCacheFastPath, ADR 0008): after the
 * id rules above, never for a replay or a re-publish, and without publishing it to llm.requests.v1. A new
 * request that missed goes straight to retrieval or routing when the cache stage has nothing more to offer (no
 * semantic lookup runs: CacheStageView, ADR 0018), one Kafka hop fewer; anything else goes to llm.requests.v1.
 */
@Injectable()
export class AcceptRequestUseCase {
  constructor(
    private readonly registry: RequestRegistry,
    private readonly status: RequestStatusStore,
    private readonly events: EventPublisher,
    @Inject(INGRESS_CONFIG) private readonly settings: AcceptSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ExactCacheFastPath) private readonly fastPath: Pick<ExactCacheFastPath, 'lookup' | 'prefetch'>,
    @Inject(CacheStageView) private readonly cacheStage: Pick<CacheStageView, 'canSkip'>,
  ) {}

  /**
   * Starts the exact-cache read of a request before its admission (the HTTP routes call it just before the
   * gate), so the read travels with the admission's Redis commands; pass the result to execute().
   */
  prefetch(command: AcceptRequestCommand): ExactCachePrefetch | undefined {
    return this.fastPath.prefetch({ tenant_id: command.tenantId, body: command.body, rag: command.rag, mode: command.mode, cache: command.cache });
  }

  async execute(command: AcceptRequestCommand, now = new Date(), prefetched?: ExactCachePrefetch): Promise<AcceptedRequest> {
    const ids = { request_id: command.requestId, tenant_id: command.tenantId };
    // Batch work in this process (the inbound consumer) makes room while realtime requests arrive.
    if (command.priority !== 'batch') realtimeActivity.mark(now.getTime());
    let createdAt = now.toISOString();
    let deadlineAt = new Date(now.getTime() + deadlineBudgetS(this.settings, command.priority) * 1000).toISOString();
    // A server-generated id is a fresh random UUID: it cannot collide, so only caller-chosen ids (an
    // Idempotency-Key or an upstream id) are registered, and a plain request costs no Postgres round trip.
    const registered = command.idempotencyKey !== undefined || command.upstreamId !== undefined;
    const earlier = registered
      ? await this.registry.claim(command.tenantId, command.requestId, { fingerprint: command.fingerprint, upstreamId: command.upstreamId, createdAt, deadlineAt })
      : undefined;
    if (earlier) {
      if (earlier.fingerprint !== command.fingerprint) {
        throw command.idempotencyKey
          ? new RequestError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body')
          : new RequestError('REQUEST_ID_REUSED', 'this request id was used with a different request body');
      }
      if (earlier.accepted) return { requestId: command.requestId, replay: true, deadlineAt: earlier.deadlineAt ?? deadlineAt };
      if (now.getTime() - Date.parse(earlier.createdAt) < this.settings.ACCEPTANCE_IN_PROGRESS_MS) {
        // A racing duplicate: the first is still being published. Publishing again would only add a copy.
        throw new RequestError('NOT_ACCEPTED', 'this request is still being accepted; retry shortly', true, { retryAfterS: 1 });
      }
      // The earlier acceptance is unconfirmed: publish the same request again, with its original times.
      createdAt = earlier.createdAt;
      deadlineAt = earlier.deadlineAt ?? deadlineAt;
      this.logger.warn(ids, 're-publishing a request whose acceptance was unconfirmed');
    }
    const isNew = earlier === undefined;
    const request: LlmRequestV1 = {
      request_id: command.requestId,
      tenant_id: command.tenantId,
      upstream_id: command.upstreamId,
      user_id: command.userId,
      feature: command.feature,
      priority: command.priority,
      mode: command.mode,
      created_at: createdAt,
      deadline_at: deadlineAt,
      body: command.body,
      rag: command.rag,
      ...(command.cache ? { cache: command.cache } : {}),
      ...(command.allowedTiers?.length ? { allowed_tiers: [...command.allowedTiers] } : {}),
      // Only what the retriever needs to screen retrieved context: a request without RAG carries none.
      ...(command.screening && command.rag ? { screening: command.screening } : {}),
    };

    // Only a new id: a replay is answered from its first outcome, and a re-published one may be in the pipeline.
    // The lookup and the status write share one round trip; on a hit the fast path's finished status wins
    // (the accepted status is written only if none exists).
    const [{ answer, miss }, saved, skipStage] = await Promise.all([
      isNew ? this.fastPath.lookup(request, now, prefetched) : ({} as FastPathLookup),
      this.status.saveAccepted(command.tenantId, command.requestId, command.mode, createdAt, deadlineAt).then(
        () => ({ ok: true as const }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
      isNew && this.settings.CACHE_STAGE_SKIP ? this.cacheStage.canSkip() : false,
    ]);
    if (answer) {
      if (registered) await this.markAccepted(ids);
      return { requestId: command.requestId, replay: false, deadlineAt, answer };
    }
    if (!saved.ok) {
      // Nothing was published yet: the id is free again.
      if (registered && isNew) await this.registry.release(command.tenantId, command.requestId).catch(() => undefined);
      throw saved.err;
    }

    try {
      await this.publish(request, miss && skipStage ? miss : undefined);
    } catch (err) {
      if (isNew && isDefiniteRefusal(err)) {
        this.logger.error({ err, ...ids }, 'request not accepted: the broker refused it');
        await this.status.delete(command.tenantId, command.requestId).catch(() => undefined);
        if (registered) await this.registry.release(command.tenantId, command.requestId).catch(() => undefined);
        throw new RequestError('NOT_ACCEPTED', 'the request could not be made durable; retry shortly', true, { cause: err, retryAfterS: 1 });
      }
      this.logger.error({ err, ...ids }, 'request acceptance unconfirmed: the publish outcome is unknown');
      throw new RequestError('NOT_ACCEPTED', 'the request may not have been made durable; retry with the same Idempotency-Key shortly', true, { cause: err, retryAfterS: 1 });
    }
    if (registered) await this.markAccepted(ids);
    this.logger.debug({ ...ids, mode: command.mode, priority: command.priority, replay: !isNew }, 'request accepted');
    return { requestId: command.requestId, replay: !isNew, deadlineAt };
  }

  /** To the cache stage, or (a definite miss it has nothing to add to) where the stage would send it. */
  private async publish(request: LlmRequestV1, miss: { cacheKey: string | undefined } | undefined): Promise<void> {
    if (!miss) return this.events.publish(Topics.requests, request);
    const next = afterCacheMiss(request, miss.cacheKey);
    if (next.topic === Topics.retrieve) return this.events.publish(next.topic, next.message);
    return this.events.publish(next.topic, next.message);
  }

  /** The request is durable (or answered) now; if the mark is lost, a retry re-publishes it, which the pipeline deduplicates. */
  private async markAccepted(ids: { request_id: string; tenant_id: string }): Promise<void> {
    await this.registry.markAccepted(ids.tenant_id, ids.request_id).catch((err: unknown) => this.logger.warn({ err, ...ids }, 'could not mark the request accepted'));
  }
}

/**
 * A publish error that proves the message never reached a broker. Anything else (a timeout above all) is
 * ambiguous: the broker may have written the message, so the id must stay claimed.
 */
function isDefiniteRefusal(err: unknown): boolean {
  return err instanceof KafkaError && (err.code === 'CONTRACT_VIOLATION' || err.code === 'UNKNOWN_TOPIC' || err.code === 'NOT_CONNECTED');
}
