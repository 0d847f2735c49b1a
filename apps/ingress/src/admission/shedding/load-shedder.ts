import type { Priority } from '@llm/contracts';
import type { BandLag } from '@llm/kafka';
import type { Logger, MetricsRegistry } from '@llm/telemetry';
import type { Counter, Gauge } from 'prom-client';
import { AdmissionError } from '../admission.errors';
import { shedDecision, type ShedThresholds } from './shed-policy';

export interface LagSource {
  read(): Promise<BandLag>;
  close?(): Promise<void>;
}

export interface LoadShedderOptions {
  thresholds: ShedThresholds;
  /** How long one lag reading is used: a few broker round trips per second per instance, not per request. */
  cacheMs: number;
  retryAfterS: number;
}

/**
 * Load shedding by priority (DESIGN.md step 1/3): refuses new work of a band whose consumer backlog passed its
 * threshold. The lag is read at most once per `cacheMs` and never on the request's path: a request uses the
 * last reading and, when it is stale, starts a refresh. An unreadable lag sheds nothing (the broker being
 * slow to answer admin calls must not refuse traffic) and is counted.
 */
export class LoadShedder {
  private lag: BandLag = [];
  private readAt = 0;
  private refreshing?: Promise<void>;
  private readonly shed: Counter<'priority' | 'reason'>;
  private readonly lagGauge: Gauge<'band'>;
  private readonly unreadable: Counter;

  constructor(
    private readonly source: LagSource,
    private readonly options: LoadShedderOptions,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.shed = metrics.counter('ingress_shed_total', 'Requests refused by load shedding, by band and reason', ['priority', 'reason']);
    this.unreadable = metrics.counter('ingress_shed_lag_unreadable_total', 'Lag readings that failed (nothing is shed meanwhile)');
    this.lagGauge = metrics.gauge('ingress_shed_observed_lag', 'Consumer lag of llm.requests.v1 per band as last read by ingress', ['band']);
  }

  get enabled(): boolean {
    const t = this.options.thresholds;
    return t.batch > 0 || t.realtimeFree > 0 || t.realtimePaid > 0;
  }

  /** Throws OVERLOADED when the band is shed. The first call of a process waits for a reading. */
  async admit(priority: Priority, now = Date.now()): Promise<void> {
    if (!this.enabled) return;
    if (now - this.readAt > this.options.cacheMs) {
      const refresh = this.refresh(now);
      if (this.readAt === 0) await refresh;
    }
    const decision = shedDecision(this.lag, this.options.thresholds, priority);
    if (!decision.shed) return;
    this.shed.inc({ priority, reason: 'consumer_lag' });
    throw new AdmissionError('OVERLOADED', `the platform is overloaded for ${priority} work (backlog ${decision.lag} > ${decision.threshold}); retry later`, true, {
      retryAfterS: this.options.retryAfterS,
    });
  }

  /** Nest calls it at shutdown: the lag reader's admin connection goes with the service. */
  async onModuleDestroy(): Promise<void> {
    await this.source.close?.();
  }

  private refresh(now: number): Promise<void> {
    this.refreshing ??= this.source
      .read()
      .then((lag) => {
        this.lag = lag;
        lag.forEach((l, band) => this.lagGauge.set({ band: String(band) }, l));
      })
      .catch((err: unknown) => {
        this.lag = [];
        this.unreadable.inc();
        this.logger.warn({ err }, 'could not read consumer lag; shedding nothing until it can');
      })
      .finally(() => {
        this.readAt = now;
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
