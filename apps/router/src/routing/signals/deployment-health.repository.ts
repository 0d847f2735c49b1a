import { Inject, Injectable } from '@nestjs/common';
import { deploymentStatsKey, REDIS, type Redis } from '@llm/redis';
import type { DeploymentSignal } from '../policies/plan-builder';

/** Minutes of history a snapshot sums: the current minute and the ones before it. */
const WINDOW_MINUTES = 2;
const TTL_S = 60 * (WINDOW_MINUTES + 1);

/**
 * Live load and health of catalog deployments, shared by every router instance through Redis: per UTC minute,
 * the outcomes of provider calls (from llm.usage.v1 and llm.results.v1) and how often routers chose each
 * deployment as primary. Counters only, so concurrent writers never conflict.
 */
@Injectable()
export class DeploymentHealthRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

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
    const key = deploymentStatsKey(deploymentId, minuteOf(at));
    const pipe = this.redis.multi();
    for (const [f, n] of Object.entries(fields)) pipe.hincrby(key, f, n);
    pipe.expire(key, TTL_S);
    await pipe.exec();
  }
}

const minuteOf = (at: Date) => Math.floor(at.getTime() / 60_000);
