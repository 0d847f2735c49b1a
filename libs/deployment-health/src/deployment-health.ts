import { deploymentStatsKey, type Redis } from '@llm/redis';

/** Minutes of history a snapshot sums: the current minute and the ones before it. */
const WINDOW_MINUTES = 2;
const TTL_S = 60 * (WINDOW_MINUTES + 1);
/** Catalog deployment ids; anything else (a hostile or corrupt id) is not counted. */
const DEPLOYMENT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** What the routers can observe about one deployment over the last minutes. */
export interface DeploymentSignal {
  calls: number;
  errors: number;
  /** Requests the routers planned onto it as primary. */
  routed: number;
}

/**
 * Live load and health of catalog deployments, shared through Redis: per UTC minute, the outcome of every
 * provider call (written by the inference workers, which make the calls) and how often routers chose each
 * deployment as primary. Counters only, so concurrent writers never conflict; approximate by design (a
 * redelivered call may be counted twice), which a health signal tolerates.
 */
export class DeploymentHealth {
  constructor(private readonly redis: Redis) {}

  async recordRouted(deploymentId: string, at = new Date()): Promise<void> {
    await this.bump(deploymentId, { routed: 1 }, at);
  }

  async recordOutcome(deploymentId: string, ok: boolean, at = new Date()): Promise<void> {
    await this.bump(deploymentId, ok ? { calls: 1 } : { calls: 1, errors: 1 }, at);
  }

  async snapshot(deploymentIds: readonly string[], at = new Date()): Promise<Map<string, DeploymentSignal>> {
    const now = minuteOf(at);
    const pipe = this.redis.pipeline();
    for (const id of deploymentIds) for (let k = 0; k < WINDOW_MINUTES; k++) pipe.hgetall(deploymentStatsKey(id, now - k));
    const replies = (await pipe.exec()) ?? [];
    const out = new Map<string, DeploymentSignal>();
    deploymentIds.forEach((id, i) => {
      const s: DeploymentSignal = { calls: 0, errors: 0, routed: 0 };
      for (let k = 0; k < WINDOW_MINUTES; k++) {
        const [err, h] = replies[i * WINDOW_MINUTES + k] ?? [null, {}];
        if (err) throw err;
        const hash = (h ?? {}) as Record<string, string>;
        s.calls += Number(hash.calls ?? 0);
        s.errors += Number(hash.errors ?? 0);
        s.routed += Number(hash.routed ?? 0);
      }
      out.set(id, s);
    });
    return out;
  }

  private async bump(deploymentId: string, fields: Partial<Record<'calls' | 'errors' | 'routed', number>>, at: Date): Promise<void> {
    if (!DEPLOYMENT_ID.test(deploymentId)) return;
    const key = deploymentStatsKey(deploymentId, minuteOf(at));
    const pipe = this.redis.multi();
    for (const [f, n] of Object.entries(fields)) pipe.hincrby(key, f, n);
    pipe.expire(key, TTL_S);
    await pipe.exec();
  }
}

const minuteOf = (at: Date) => Math.floor(at.getTime() / 60_000);
