import { Inject, Injectable } from '@nestjs/common';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';

/** How long a request id is remembered for de-duplication: well past any redelivery window. */
const SEEN_TTL_S = 86_400;

/**
 * Sets the per-request marker and, only if it was not there yet, applies every increment, in one atomic step.
 * KEYS[1] marker, KEYS[2] counters hash; ARGV[1] marker TTL, then field/increment pairs.
 */
const RECORD_ONCE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`;

/** Redis persistence of the per-tenant result counters. */
@Injectable()
export class EvaluationRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Applies the increments unless this request was already recorded; true when it was new. */
  async recordOnce(tenantId: string, requestId: string, increments: Readonly<Record<string, number>>): Promise<boolean> {
    const keys = new TenantKeys(tenantId);
    const args = Object.entries(increments).flatMap(([field, by]) => [field, String(by)]);
    const applied = await this.redis.eval(RECORD_ONCE, 2, keys.evaluationSeen(requestId), keys.evaluationCounts(), String(SEEN_TTL_S), ...args);
    return applied === 1;
  }

  async getCounters(tenantId: string): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(new TenantKeys(tenantId).evaluationCounts());
    return Object.fromEntries(Object.entries(raw).map(([field, value]) => [field, Number(value)]));
  }
}
