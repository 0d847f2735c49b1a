import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../config/cost-ledger.config';
import { AlertEvaluator } from './alert-evaluator';

/** Every LEDGER_ALERT_RESEND_MS, sends the alerts whose publish failed when they were raised (broker down). */
@Injectable()
export class AlertResender implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly evaluator: AlertEvaluator,
    @Inject(COST_LEDGER_CONFIG) private readonly config: Pick<CostLedgerConfig, 'LEDGER_ALERT_RESEND_MS'>,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.LEDGER_ALERT_RESEND_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const sent = await this.evaluator.resendUnpublished();
      if (sent > 0) this.log.info({ sent }, 'alerts sent again after a failed publish');
    } catch (err) {
      this.log.warn({ err }, 'alert re-send failed; retried on the next run');
    } finally {
      this.running = false;
    }
  }
}
