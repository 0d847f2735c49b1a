import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type Redis } from '@llm/redis';
import { AdmissionError } from '../admission.errors';

/**
 * Takes a slot in the tenant's and the key's sets at once, or neither. Members are scored by their expiry, so
 * a slot whose holder crashed frees itself; expired members are swept before counting.
 * KEYS: tenant set, key set. ARGV: now ms, expiry ms, member, tenant cap, key cap (0 = none).
 */
const ACQUIRE = `
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
return 0
`;

type Acquire = (tenantKey: string, keyKey: string, now: string, expiry: string, member: string, tenantCap: string, keyCap: string) => Promise<number>;

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

const NOTHING: Slot = { release: async () => undefined };

/** Concurrency caps per tenant and per key (open sync/SSE connections), shared by every ingress instance. */
@Injectable()
export class ConcurrencySlots {
  private readonly acquireScript: Acquire;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    // A defined command runs by its SHA (EVALSHA), sending the script text once per connection.
    if (typeof Reflect.get(redis, 'admissionAcquire') !== 'function') redis.defineCommand('admissionAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    const command = Reflect.get(redis, 'admissionAcquire') as Acquire;
    this.acquireScript = command.bind(redis);
  }

  async acquire(req: SlotRequest, now = Date.now()): Promise<Slot> {
    if (req.tenantCap === undefined && req.keyCap === undefined) return NOTHING;
    // One hash tag per tenant: both sets live in one slot of a cluster, so the script may touch both.
    const tenantKey = `adm:{${req.tenantId}}:conn`;
    const keyKey = `adm:{${req.tenantId}}:conn:key:${req.apiKeyId}`;
    const refused = await this.acquireScript(tenantKey, keyKey, String(now), String(now + req.ttlMs), req.holder, String(req.tenantCap ?? 0), String(req.keyCap ?? 0));
    if (refused !== 0) {
      const scope = refused === 1 ? `tenant (${req.tenantCap})` : `API key (${req.keyCap})`;
      throw new AdmissionError('CONCURRENCY_LIMITED', `too many open requests for this ${scope}; retry when one finishes`, true, { retryAfterS: 1 });
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.redis.multi().zrem(tenantKey, req.holder).zrem(keyKey, req.holder).exec();
      },
    };
  }
}
