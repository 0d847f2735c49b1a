import { Inject, Injectable } from '@nestjs/common';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { AdmissionError } from '../admission.errors';

/**
 * Takes a slot in the tenant's and the key's sets at once, or neither. Members are scored by their expiry, so
 * a slot whose holder crashed frees itself; expired members are swept before counting.
 * KEYS: tenant set, key set. ARGV: now ms, expiry ms, member, tenant cap, key cap (0 = none).
 */
const TAKE = `
local now = tonumber(ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
redis.call('zremrangebyscore', KEYS[2], '-inf', now)
local tcap = tonumber(ARGV[4])
local kcap = tonumber(ARGV[5])
if tcap > 0 and redis.call('zcard', KEYS[1]) >= tcap then return 1 end
if kcap > 0 and redis.call('zcard', KEYS[2]) >= kcap then return 2 end
redis.call('zadd', KEYS[1], ARGV[2], ARGV[3])
redis.call('zadd', KEYS[2], ARGV[2], ARGV[3])
local ttl = tonumber(ARGV[2]) - now + 1000
redis.call('pexpire', KEYS[1], ttl)
redis.call('pexpire', KEYS[2], ttl)
`;
const ACQUIRE = `${TAKE}
return 0
`;

/**
 * ACQUIRE, and on success the slot's owner recorded for RELEASE_IN_FLIGHT, in the same round trip.
 * KEYS: tenant set, key set, owner hash. ARGV: as ACQUIRE, then the API key id.
 */
const ACQUIRE_IN_FLIGHT = `${TAKE}
redis.call('hset', KEYS[3], ARGV[3], ARGV[6])
redis.call('pexpire', KEYS[3], ttl)
return 0
`;

/**
 * Frees a request's in-flight slot when its outcome arrives, wherever it was admitted: the key set is found
 * through the owner hash the acquisition filled. KEYS: tenant set, owner hash. ARGV: member, key-set prefix.
 */
const RELEASE_IN_FLIGHT = `
local key = redis.call('hget', KEYS[2], ARGV[1])
redis.call('zrem', KEYS[1], ARGV[1])
if key then
  redis.call('zrem', ARGV[2] .. key, ARGV[1])
  redis.call('hdel', KEYS[2], ARGV[1])
end
return key and 1 or 0
`;

type Acquire = (tenantKey: string, keyKey: string, now: string, expiry: string, member: string, tenantCap: string, keyCap: string) => Promise<number>;
type AcquireInFlight = (
  tenantKey: string,
  keyKey: string,
  owners: string,
  now: string,
  expiry: string,
  member: string,
  tenantCap: string,
  keyCap: string,
  apiKeyId: string,
) => Promise<number>;

export interface SlotRequest {
  tenantId: string;
  apiKeyId: string;
  /** Unique per held connection. */
  holder: string;
  tenantCap?: number;
  keyCap?: number;
  /** How long the slot lives if it is never released (its holder crashed). */
  ttlMs: number;
}

export interface Slot {
  release(): Promise<void>;
}

export const NOTHING: Slot = { release: async () => undefined };

/** What an in-flight slot is taken for: the request (member) and how long it may live unreleased. */
export interface InFlightRequest {
  tenantId: string;
  apiKeyId: string;
  requestId: string;
  tenantCap?: number;
  keyCap?: number;
  ttlMs: number;
}

/** Concurrency caps per tenant and per key (open sync/SSE connections), shared by every ingress instance. */
@Injectable()
export class ConcurrencySlots {
  private readonly acquireScript: Acquire;
  private readonly acquireInFlightScript: AcquireInFlight;
  private readonly releaseScript: (tenantSet: string, owners: string, member: string, keySetPrefix: string) => Promise<number>;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    // A defined command runs by its SHA (EVALSHA), sending the script text once per connection.
    if (typeof Reflect.get(redis, 'admissionAcquire') !== 'function') redis.defineCommand('admissionAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    const command = Reflect.get(redis, 'admissionAcquire') as Acquire;
    this.acquireScript = command.bind(redis);
    if (typeof Reflect.get(redis, 'admissionAcquireInFlight') !== 'function') redis.defineCommand('admissionAcquireInFlight', { numberOfKeys: 3, lua: ACQUIRE_IN_FLIGHT });
    this.acquireInFlightScript = (Reflect.get(redis, 'admissionAcquireInFlight') as AcquireInFlight).bind(redis);
    if (typeof Reflect.get(redis, 'admissionReleaseInFlight') !== 'function') redis.defineCommand('admissionReleaseInFlight', { numberOfKeys: 2, lua: RELEASE_IN_FLIGHT });
    this.releaseScript = (Reflect.get(redis, 'admissionReleaseInFlight') as ConcurrencySlots['releaseScript']).bind(redis);
  }

  async acquire(req: SlotRequest, now = Date.now()): Promise<Slot> {
    return this.take('conn', req, 'open connections', now);
  }

  /**
   * A slot held from admission until the request's outcome reaches ingress (releaseInFlight), for every mode:
   * caps how much work a tenant or key may have queued or running at once. The owner hash lets any instance
   * release it; a slot whose outcome never comes expires with the request's deadline.
   */
  async acquireInFlight(req: InFlightRequest, now = Date.now()): Promise<Slot> {
    if (req.tenantCap === undefined && req.keyCap === undefined) return NOTHING;
    // The owner is recorded by the same script: one round trip on every request's admission path.
    const keys = new TenantKeys(req.tenantId);
    const refused = await this.acquireInFlightScript(
      keys.admissionSlots('inflight'),
      keys.admissionSlots('inflight', req.apiKeyId),
      keys.admissionInFlightOwners(),
      String(now),
      String(now + req.ttlMs),
      req.requestId,
      String(req.tenantCap ?? 0),
      String(req.keyCap ?? 0),
      req.apiKeyId,
    );
    if (refused !== 0) throw refusal(refused, req, 'requests in flight');
    return { release: () => this.releaseInFlight(req.tenantId, req.requestId) };
  }

  async releaseInFlight(tenantId: string, requestId: string): Promise<void> {
    const keys = new TenantKeys(tenantId);
    await this.releaseScript(keys.admissionSlots('inflight'), keys.admissionInFlightOwners(), requestId, keys.admissionKeySlotsPrefix('inflight'));
  }

  private async take(kind: 'conn' | 'inflight', req: SlotRequest, what: string, now: number): Promise<Slot> {
    if (req.tenantCap === undefined && req.keyCap === undefined) return NOTHING;
    const keys = new TenantKeys(req.tenantId);
    const tenantKey = keys.admissionSlots(kind);
    const keyKey = keys.admissionSlots(kind, req.apiKeyId);
    const refused = await this.acquireScript(tenantKey, keyKey, String(now), String(now + req.ttlMs), req.holder, String(req.tenantCap ?? 0), String(req.keyCap ?? 0));
    if (refused !== 0) throw refusal(refused, req, what);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        // Two independent removals (a member left behind frees itself at its expiry): no MULTI, whose pipeline
        // object copies every script the client defines, on every request. Auto-pipelined into one write.
        await Promise.all([this.redis.zrem(tenantKey, req.holder), this.redis.zrem(keyKey, req.holder)]);
      },
    };
  }
}

function refusal(code: number, caps: { tenantCap?: number; keyCap?: number }, what: string): AdmissionError {
  const scope = code === 1 ? `tenant (${caps.tenantCap})` : `API key (${caps.keyCap})`;
  return new AdmissionError('CONCURRENCY_LIMITED', `too many ${what} for this ${scope}; retry when one finishes`, true, { retryAfterS: 1 });
}
