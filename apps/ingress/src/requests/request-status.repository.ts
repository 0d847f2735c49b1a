import { Inject, Injectable } from '@nestjs/common';
import { llmResultV1, type LlmResultV1, type RequestMode } from '@llm/contracts';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';

export const STATUS_TTL_S = Symbol('STATUS_TTL_S');

export interface RequestStatusRecord {
  requestId: string;
  status: 'accepted' | LlmResultV1['status'];
  mode: RequestMode;
  createdAt: string;
  result?: LlmResultV1;
}

/** Request status and idempotency keys in Redis, every key under the tenant's prefix. */
@Injectable()
export class RequestStatusRepository {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(STATUS_TTL_S) private readonly ttlSeconds: number,
  ) {}

  /**
   * Claims an idempotency key for a new request. Returns the earlier claim (request id and body fingerprint)
   * when the key was used before; SET NX makes two racing requests with one key produce one request.
   */
  async claimIdempotencyKey(tenantId: string, key: string, requestId: string, fingerprint: string, ttlSeconds: number): Promise<{ requestId: string; fingerprint: string } | undefined> {
    const redisKey = new TenantKeys(tenantId).idempotency(key);
    const claimed = await this.redis.set(redisKey, `${requestId}|${fingerprint}`, 'EX', ttlSeconds, 'NX');
    if (claimed === 'OK') return undefined;
    const existing = (await this.redis.get(redisKey)) ?? '';
    const [earlierId = '', earlierFingerprint = ''] = existing.split('|');
    return { requestId: earlierId, fingerprint: earlierFingerprint };
  }

  async releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
    await this.redis.del(new TenantKeys(tenantId).idempotency(key));
  }

  async saveAccepted(tenantId: string, requestId: string, mode: RequestMode, createdAt: string): Promise<void> {
    const key = new TenantKeys(tenantId).requestStatus(requestId);
    // HSETNX: a late "accepted" must never overwrite a terminal status written first.
    await this.redis.multi().hsetnx(key, 'status', 'accepted').hset(key, 'mode', mode, 'created_at', createdAt).expire(key, this.ttlSeconds).exec();
  }

  async delete(tenantId: string, requestId: string): Promise<void> {
    await this.redis.del(new TenantKeys(tenantId).requestStatus(requestId));
  }

  async saveOutcome(result: LlmResultV1): Promise<void> {
    const key = new TenantKeys(result.tenant_id).requestStatus(result.request_id);
    await this.redis
      .multi()
      .hset(key, 'status', result.status, 'result', JSON.stringify(result))
      .hsetnx(key, 'created_at', result.completed_at)
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async find(tenantId: string, requestId: string): Promise<RequestStatusRecord | undefined> {
    const fields = await this.redis.hgetall(new TenantKeys(tenantId).requestStatus(requestId));
    if (!fields.status) return undefined;
    const parsed = fields.result ? llmResultV1.safeParse(JSON.parse(fields.result)) : undefined;
    return {
      requestId,
      status: fields.status as RequestStatusRecord['status'],
      mode: (fields.mode ?? 'async') as RequestMode,
      createdAt: fields.created_at ?? '',
      result: parsed?.success ? parsed.data : undefined,
    };
  }
}
