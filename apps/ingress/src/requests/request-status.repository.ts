import { Inject, Injectable } from '@nestjs/common';
import { llmResultV1, type LlmResultV1, type RequestMode } from '@llm/contracts';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { INGRESS_CONFIG, type IngressConfig } from '../config/ingress.config';
import { unavailableOnFailure } from '@llm/errors';

export interface RequestStatusRecord {
  requestId: string;
  status: 'accepted' | LlmResultV1['status'];
  mode: RequestMode;
  createdAt: string;
  deadlineAt?: string;
  result?: LlmResultV1;
}

/** Where request status lives (Redis); use cases depend on this port, tests fake it. */
export abstract class RequestStatusStore {
  abstract saveAccepted(tenantId: string, requestId: string, mode: RequestMode, createdAt: string, deadlineAt?: string): Promise<void>;
  abstract delete(tenantId: string, requestId: string): Promise<void>;
  abstract saveOutcome(result: LlmResultV1): Promise<void>;
  abstract find(tenantId: string, requestId: string): Promise<RequestStatusRecord | undefined>;
}

/**
 * Request status in Redis, every key under the tenant's prefix. A Redis failure is UNAVAILABLE (retryable,
 * 503 with Retry-After), never an internal error: the caller can and should try again.
 */
@Injectable()
export class RequestStatusRepository extends RequestStatusStore {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(INGRESS_CONFIG) config: Pick<IngressConfig, 'STATUS_TTL_S'>,
  ) {
    super();
    this.ttlSeconds = config.STATUS_TTL_S;
  }

  async saveAccepted(tenantId: string, requestId: string, mode: RequestMode, createdAt: string, deadlineAt?: string): Promise<void> {
    const key = new TenantKeys(tenantId).requestStatus(requestId);
    // HSETNX: a late "accepted" must never overwrite a terminal status written first.
    const fields = ['mode', mode, 'created_at', createdAt, ...(deadlineAt ? ['deadline_at', deadlineAt] : [])];
    await unavailableOnFailure('the request store', () =>
      this.redis
        .multi()
        .hsetnx(key, 'status', 'accepted')
        .hset(key, ...fields)
        .expire(key, this.ttlSeconds)
        .exec(),
    );
  }

  async delete(tenantId: string, requestId: string): Promise<void> {
    await unavailableOnFailure('the request store', () => this.redis.del(new TenantKeys(tenantId).requestStatus(requestId)));
  }

  async saveOutcome(result: LlmResultV1): Promise<void> {
    const key = new TenantKeys(result.tenant_id).requestStatus(result.request_id);
    await unavailableOnFailure('the request store', () =>
      this.redis.multi().hset(key, 'status', result.status, 'result', JSON.stringify(result)).hsetnx(key, 'created_at', result.completed_at).expire(key, this.ttlSeconds).exec(),
    );
  }

  async find(tenantId: string, requestId: string): Promise<RequestStatusRecord | undefined> {
    const fields = await unavailableOnFailure('the request store', () => this.redis.hgetall(new TenantKeys(tenantId).requestStatus(requestId)));
    if (!fields.status) return undefined;
    const parsed = fields.result ? llmResultV1.safeParse(JSON.parse(fields.result)) : undefined;
    return {
      requestId,
      status: fields.status as RequestStatusRecord['status'],
      mode: (fields.mode ?? 'async') as RequestMode,
      createdAt: fields.created_at ?? '',
      ...(fields.deadline_at ? { deadlineAt: fields.deadline_at } : {}),
      result: parsed?.success ? parsed.data : undefined,
    };
  }
}

/** Redis at ingress fails as UNAVAILABLE: retryable, with a hint when to retry. */
