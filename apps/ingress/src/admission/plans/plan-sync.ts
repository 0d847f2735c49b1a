import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';
import { ADMISSION_PLANS_CHANNEL, REDIS, type Redis } from '@llm/redis';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { ADMISSION_SETTINGS, type AdmissionSettings } from '../admission.tokens';
import { PlanBook, type StoredPlans } from './plan-book';

/**
 * Keeps the plan book in step with the plans and API key overrides set through the cost ledger's admin API: read from Postgres at boot,
 * again when the ledger announces a change (Redis pub/sub, within a hop) and every ADMISSION_PLANS_REFRESH_MS in
 * case an announcement was lost. While Postgres cannot be read, the last plans read stay in force.
 */
@Injectable()
export class PlanSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly book: PlanBook,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ADMISSION_SETTINGS) private readonly settings: Pick<AdmissionSettings, 'ADMISSION_PLANS_REFRESH_MS'>,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', (err) => this.log.warn({ err }, 'plan change subscriber error'));
    sub.on('message', () => void this.reload());
    await sub.subscribe(ADMISSION_PLANS_CHANNEL).catch((err: unknown) => this.log.warn({ err }, 'plan changes not subscribed; the periodic refresh bounds them'));
    this.timer = setInterval(() => void this.reload(), this.settings.ADMISSION_PLANS_REFRESH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** One read at a time; a change announced meanwhile is picked up by the next one. */
  reload(): Promise<void> {
    this.loading ??= this.read()
      .then((stored) => {
        const { skipped, skippedKeys } = this.book.overlay(stored);
        if (skipped.length > 0) this.log.error({ plans: skipped }, 'stored admission plans are invalid and not applied');
        if (skippedKeys.length > 0) this.log.error({ apiKeys: skippedKeys }, 'stored API key overrides are invalid and not applied');
      })
      .catch((err: unknown) => this.log.warn({ err }, 'admission plans could not be read; the last ones stay in force'))
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(): Promise<StoredPlans> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; admission: unknown }>>`select id, admission from plans where admission is not null`;
    const assigned = await this.prisma.$queryRaw<Array<{ tenant_id: string; plan_id: string }>>`
      select tp.tenant_id, tp.plan_id from tenant_plans tp join plans p on p.id = tp.plan_id where p.admission is not null`;
    // Revoked keys are refused before admission, so their overrides need not be held.
    const keys = await this.prisma.$queryRaw<Array<{ id: string; admission_overrides: unknown }>>`
      select id::text, admission_overrides from api_keys where admission_overrides is not null and revoked_at is null`;
    return {
      plans: Object.fromEntries(rows.map((r) => [r.id, r.admission])),
      tenants: Object.fromEntries(assigned.map((a) => [a.tenant_id, a.plan_id])),
      keys: Object.fromEntries(keys.map((k) => [k.id, k.admission_overrides])),
    };
  }
}
