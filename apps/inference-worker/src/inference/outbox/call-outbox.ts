import { randomUUID } from 'node:crypto';
import { inferenceRequestV1, llmResultV1, routeTarget, usageV1, type InferenceRequestV1, type LlmResultV1, type RouteTarget, type UsageV1 } from '@llm/contracts';
import { TenantKeys, type Redis } from '@llm/redis';

/** What earlier deliveries of a request made durable: how many calls were started, their usage, the result. */
export interface StoredOutcome {
  calls: number;
  usages: UsageV1[];
  result?: LlmResultV1;
  /** The request went into a provider batch (batch-api feature): that call is the batch line's, never repeated. */
  batch?: BatchEntry;
}

/** A request handed to a provider batch: which submission, which call id, and what to finish it with. */
export interface BatchEntry {
  submission_id: string;
  call_id: string;
  request: InferenceRequestV1;
  target: RouteTarget;
}

/**
 * The outcome of every provider call is written here before it is published, so a redelivered request
 * republishes it instead of calling the provider again (issue 6, item 2).
 */
export abstract class CallOutbox {
  abstract load(tenantId: string, requestId: string): Promise<StoredOutcome>;
  /** Chooses the next call's id (c1, c2, ...) before the call is made, and records that it was started. */
  abstract nextCallId(tenantId: string, requestId: string): Promise<string>;
  abstract saveUsage(usage: UsageV1): Promise<void>;
  /** The result, with the usage of the call that produced it when that was not saved yet, in one write. */
  abstract saveResult(result: LlmResultV1, usages?: readonly UsageV1[]): Promise<void>;
  abstract saveBatch(entry: BatchEntry): Promise<void>;
}

export interface LeaseHandle {
  /** False when the lease was lost (expired and taken by another worker). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** One worker at a time runs a request: after a rebalance two may hold the same message. */
export abstract class RequestLease {
  abstract acquire(tenantId: string, requestId: string, ttlMs: number): Promise<LeaseHandle | undefined>;
}

export class RedisCallOutbox extends CallOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    super();
  }

  async load(tenantId: string, requestId: string): Promise<StoredOutcome> {
    const fields = await this.redis.hgetall(new TenantKeys(tenantId).inferenceOutbox(requestId));
    const usages = Object.entries(fields)
      .filter(([field]) => field.startsWith('usage:'))
      .map(([, value]) => usageV1.parse(JSON.parse(value)))
      .sort((a, b) => callNumber(a.call_id) - callNumber(b.call_id));
    return {
      calls: Number(fields.calls ?? 0),
      usages,
      ...(fields.result ? { result: llmResultV1.parse(JSON.parse(fields.result)) } : {}),
      ...(fields.batch ? { batch: parseBatchEntry(fields.batch) } : {}),
    };
  }

  async saveBatch(entry: BatchEntry): Promise<void> {
    await this.write(entry.request.tenant_id, entry.request.request_id, { batch: entry });
  }

  async nextCallId(tenantId: string, requestId: string): Promise<string> {
    const key = new TenantKeys(tenantId).inferenceOutbox(requestId);
    const [[, n]] = (await this.redis.multi().hincrby(key, 'calls', 1).expire(key, this.ttlSeconds).exec()) as [[Error | null, number]];
    return `c${n}`;
  }

  async saveUsage(usage: UsageV1): Promise<void> {
    await this.write(usage.tenant_id, usage.request_id, { [`usage:${usage.call_id}`]: usage });
  }

  async saveResult(result: LlmResultV1, usages: readonly UsageV1[] = []): Promise<void> {
    await this.write(result.tenant_id, result.request_id, { ...Object.fromEntries(usages.map((u) => [`usage:${u.call_id}`, u])), result });
  }

  private async write(tenantId: string, requestId: string, fields: Record<string, object>): Promise<void> {
    const key = new TenantKeys(tenantId).inferenceOutbox(requestId);
    const values = Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, JSON.stringify(value)]));
    await this.redis.multi().hset(key, values).expire(key, this.ttlSeconds).exec();
  }
}

function parseBatchEntry(raw: string): BatchEntry {
  const o = JSON.parse(raw) as BatchEntry;
  return { submission_id: String(o.submission_id), call_id: String(o.call_id), request: inferenceRequestV1.parse(o.request), target: routeTarget.parse(o.target) };
}

function callNumber(callId: string): number {
  return Number(/^c(\d+)$/.exec(callId)?.[1] ?? 0);
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisRequestLease extends RequestLease {
  constructor(private readonly redis: Redis) {
    super();
  }

  async acquire(tenantId: string, requestId: string, ttlMs: number): Promise<LeaseHandle | undefined> {
    const key = new TenantKeys(tenantId).inferenceLease(requestId);
    const token = randomUUID();
    if ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    return {
      renew: async () => (await this.redis.eval(RENEW, 1, key, token, String(ttlMs))) === 1,
      release: async () => void (await this.redis.eval(RELEASE, 1, key, token)),
    };
  }
}
