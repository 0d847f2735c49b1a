import { Inject, Injectable } from '@nestjs/common';
import { cacheHitOutcome, ExactCacheReader } from '@llm/cache-key';
import type { ChatCompletion, LlmRequestV1, LlmResultV1 } from '@llm/contracts';
import { ResultPublisher } from '@llm/result-stream';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import type { Counter } from 'prom-client';
import { INGRESS_CONFIG, type IngressConfig } from '../../config/ingress.config';
import { RequestStatusStore } from '../request-status.repository';
import { CacheHitRecorder } from './cache-hit.recorder';

export interface FastPathAnswer {
  result: LlmResultV1;
  /** The terminal event's id on the request's stream (SSE `id:`, so Last-Event-ID works as on any stream). */
  streamEntryId: string;
}

/**
 * The exact-cache read of a request started before its admission, so that the read shares a round trip with
 * the admission's own commands instead of taking one more after them. Only a read: nothing is answered or
 * recorded until the request is admitted and accepted, and lookup() uses it only for the same tenant and key.
 */
export interface ExactCachePrefetch {
  tenantId: string;
  key: string;
  entry: Promise<ChatCompletion | undefined | 'failed'>;
}

/** A hit's answer, or a definite miss with the key the answer is to be stored under; neither: no lookup was made. */
export interface FastPathLookup {
  answer?: FastPathAnswer;
  miss?: { cacheKey: string | undefined };
}

/**
 * The exact-cache fast path (DESIGN.md step 2, ADR 0008): ingress reads the exact cache itself, with the cache
 * service's own reader (libs/cache-key: policy, tenant-scoped key, entry validation), and finishes a hit at once.
 * The request's status and stream get the terminal result before the caller is answered, so GET, the events
 * endpoint and Idempotency-Key replays see it like any answered request; llm.results.v1 and llm.usage.v1 are
 * recorded without the caller waiting. Read-only: the cache service stays the only writer.
 *
 * Anything that goes wrong here (Redis down, a bad entry) is a miss: the request then takes the usual path and
 * the cache service answers it, so the fast path can make a request faster but never fail it.
 */
@Injectable()
export class ExactCacheFastPath {
  private readonly lookups: Counter<'outcome'>;

  constructor(
    @Inject(ExactCacheReader) private readonly cache: Pick<ExactCacheReader, 'keyFor' | 'find'>,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'appendTerminal'>,
    private readonly status: RequestStatusStore,
    @Inject(CacheHitRecorder) private readonly recorder: Pick<CacheHitRecorder, 'record'>,
    @Inject(INGRESS_CONFIG) private readonly config: Pick<IngressConfig, 'EXACT_CACHE_FAST_PATH'>,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.lookups = metrics.counter('ingress_exact_cache_fast_path_total', 'Exact-cache lookups at ingress by outcome', ['outcome']);
  }

  /** Answers a new request from the exact cache, or returns undefined (a miss) for it to be published as usual. */
  async answer(request: LlmRequestV1, now = new Date()): Promise<FastPathAnswer | undefined> {
    return (await this.lookup(request, now)).answer;
  }

  /**
   * Starts the read lookup() would make, for a request not yet admitted: undefined when lookup() would make
   * none. A failed read is not an error here; lookup() then reads again itself.
   */
  prefetch(request: Pick<LlmRequestV1, 'tenant_id' | 'body' | 'rag' | 'mode' | 'cache'>): ExactCachePrefetch | undefined {
    if (!this.config.EXACT_CACHE_FAST_PATH || request.mode === 'kafka' || request.cache !== undefined) return undefined;
    let key: string | undefined;
    try {
      key = this.cache.keyFor(request);
    } catch {
      return undefined; // lookup() meets the same problem and takes the usual path; the prefetch must not fail the request
    }
    if (key === undefined) return undefined;
    return { tenantId: request.tenant_id, key, entry: this.cache.find(request.tenant_id, key).catch(() => 'failed' as const) };
  }

  /**
   * The exact lookup of a new request: its answer on a hit; on a definite miss, the key its answer is stored
   * under (what the cache service would forward it with). Neither when the lookup was not made or failed.
   */
  async lookup(request: LlmRequestV1, now = new Date(), prefetched?: ExactCachePrefetch): Promise<FastPathLookup> {
    const outcome = await this.tryAnswer(request, now, prefetched).catch((err: unknown) => {
      this.logger.warn({ err, request_id: request.request_id, tenant_id: request.tenant_id }, 'exact-cache fast path failed; the request takes the usual path');
      return 'error' as const;
    });
    if (outcome === 'off' || outcome === 'error') {
      this.lookups.inc({ outcome });
      return {};
    }
    if ('miss' in outcome) {
      this.lookups.inc({ outcome: outcome.miss.bypass ? 'bypass' : 'miss' });
      return { miss: { cacheKey: outcome.miss.cacheKey } };
    }
    this.lookups.inc({ outcome: 'hit' });
    return { answer: outcome };
  }

  private async tryAnswer(
    request: LlmRequestV1,
    now: Date,
    prefetched: ExactCachePrefetch | undefined,
  ): Promise<FastPathAnswer | 'off' | { miss: { cacheKey: string | undefined; bypass: boolean } }> {
    // An upstream on llm.inbound.v1 learns its outcome only from llm.results.v1, which the fast path does not
    // wait for; its request goes through the cache service, whose answer is published before it is committed.
    if (!this.config.EXACT_CACHE_FAST_PATH || request.mode === 'kafka') return 'off';
    // The caller's `x-llm-cache: refresh | off` skips every lookup (the cache service honours it too); a refresh
    // still keys the request, so its fresh answer is stored. Same rules as the cache service's LookupRequestUseCase.
    const key = request.cache === 'off' ? undefined : this.cache.keyFor(request);
    if (key === undefined || request.cache === 'refresh') return { miss: { cacheKey: key, bypass: true } };
    // The key is derived again: admission may have changed the request since the prefetch (a screening `route`
    // action swaps the model), and then the prefetched entry is another request's.
    const early = prefetched?.tenantId === request.tenant_id && prefetched.key === key ? await prefetched.entry : 'failed';
    const completion = early === 'failed' ? await this.cache.find(request.tenant_id, key) : early;
    if (!completion) return { miss: { cacheKey: key, bypass: false } };

    const { result, usage } = cacheHitOutcome(request, { key, completion }, 1, now);
    // Two writes, one round trip (ioredis sends them back to back on one connection). The accepted status is
    // written by the caller alongside the lookup; it never overwrites this terminal one (HSETNX).
    const [, streamEntryId] = await Promise.all([this.status.saveOutcome(result), this.results.appendTerminal(result)]);
    // Only a request id never seen before comes here, so nobody else can have finished it.
    if (streamEntryId === undefined) throw new Error('a new request already had a terminal event');
    this.recorder.record(result, usage);
    return { result, streamEntryId };
  }
}
