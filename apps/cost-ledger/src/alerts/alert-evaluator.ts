import type { EventPublisher } from '@llm/kafka';
import type { Logger } from '@llm/telemetry';
import type { UsageRecordedListener } from '../ledger/ingestion/usage-ingestion.service';
import type { UsageRow } from '../ledger/ingestion/usage-row';
import { dailyBudget, expensiveRequest, hourlySpike, type AlertCandidate } from './alert-rules';
import type { AlertRepository, StoredAlert, WebhookTarget } from './alert.repository';
import type { WebhookSender } from './webhook.sender';

const HOUR_MS = 3_600_000;
/** Spikes are judged live: hours older than this (backfills, replays) are not alerted on. */
const LIVE_HOURS = 2;
/** An alert still unpublished this long after it was raised was not just being published: send it again. */
const RESEND_AFTER_MS = 10_000;

/**
 * Raises spend alerts from newly recorded usage: a call above the tenant's per-request threshold, this hour's
 * spend above its factor of the 7-day hourly average, today's spend past each daily-budget threshold. The
 * unique (tenant, kind, window) row decides whether an alert is new; only new ones go to llm.alerts.v1 and
 * the tenant's webhook.
 */
export class AlertEvaluator implements UsageRecordedListener {
  constructor(
    private readonly repo: AlertRepository,
    private readonly publisher: EventPublisher,
    private readonly webhooks: WebhookSender,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async onRecorded(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    const now = this.clock();
    const tenants = [...new Set(rows.map((r) => r.tenantId))];
    const settings = await this.repo.settings(tenants);
    const candidates: AlertCandidate[] = [];
    for (const r of rows) {
      const c = expensiveRequest(r.tenantId, r.requestId, r.costMicros, settings.get(r.tenantId)!);
      if (c) candidates.push(c);
    }
    const liveFrom = Math.floor(now.getTime() / HOUR_MS - LIVE_HOURS + 1) * HOUR_MS;
    const pairs = new Map<string, { tenantId: string; hour: Date }>();
    for (const r of rows) {
      const hour = Math.floor(r.occurredAt.getTime() / HOUR_MS) * HOUR_MS;
      if (hour >= liveFrom) pairs.set(`${r.tenantId}|${hour}`, { tenantId: r.tenantId, hour: new Date(hour) });
    }
    if (pairs.size > 0) {
      for (const h of await this.repo.hourAndWeek([...pairs.values()])) {
        const c = hourlySpike(h.tenantId, h.hour, h.hourMicros, h.weekMicros, settings.get(h.tenantId)!);
        if (c) candidates.push(c);
      }
    }
    const today = now.toISOString().slice(0, 10);
    const todays = [...new Set(rows.filter((r) => r.occurredAt.toISOString().slice(0, 10) === today).map((r) => r.tenantId))];
    if (todays.length > 0) {
      for (const b of await this.repo.dailyBudgets(todays, today)) candidates.push(...dailyBudget(b.tenantId, today, b.spentMicros, b.limitMicros, settings.get(b.tenantId)!));
    }
    const raised = await this.repo.insertNew(candidates, now);
    if (raised.length === 0) return;
    const published = await this.send(raised, settings);
    await this.repo.markPublished(published, now);
  }

  /**
   * Publishes alerts that were stored but never published (the broker was down when they were raised), with
   * their webhooks. Claimed first, so several ledger instances send each once; what fails again is handed back
   * for the next run. Returns how many went out.
   */
  async resendUnpublished(olderThanMs = RESEND_AFTER_MS, limit = 100): Promise<number> {
    const claimed = await this.repo.claimUnpublished(new Date(this.clock().getTime() - olderThanMs), limit);
    if (claimed.length === 0) return 0;
    const published = new Set(await this.send(claimed, await this.repo.settings([...new Set(claimed.map((a) => a.tenantId))])));
    await this.repo.release(claimed.filter((a) => !published.has(a.id)).map((a) => a.id));
    return published.size;
  }

  private async send(alerts: readonly StoredAlert[], settings: Map<string, { webhook?: WebhookTarget }>): Promise<string[]> {
    const published: string[] = [];
    for (const a of alerts) {
      const event = {
        alert_id: a.id,
        tenant_id: a.tenantId,
        kind: a.kind,
        severity: a.severity,
        message: a.message,
        value_micros: Number(a.valueMicros),
        threshold_micros: Number(a.thresholdMicros),
        raised_at: a.raisedAt.toISOString(),
      };
      try {
        await this.publisher.publish('llm.alerts.v1', event);
        published.push(a.id);
      } catch (err) {
        this.log.warn({ err, alert_id: a.id }, 'alert stored but not published; it is sent again later');
        continue; // its webhook goes with the publish that succeeds, so a tenant hears of it once
      }
      const webhook = settings.get(a.tenantId)?.webhook;
      if (webhook) void this.webhooks.send(webhook, event);
    }
    return published;
  }
}
