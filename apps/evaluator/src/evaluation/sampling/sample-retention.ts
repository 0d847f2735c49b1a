import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { EVALUATOR_CONFIG, type EvaluatorConfig } from '../../config/evaluator.config';
import { EvaluationStoreRepository } from '../evaluation-store.repository';

const SWEEP_INTERVAL_MS = 3_600_000;

/** Sampled prompts are deleted once past their retention; swept at boot and hourly. */
@Injectable()
export class SampleRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: EvaluationStoreRepository,
    @Inject(EVALUATOR_CONFIG) private readonly config: EvaluatorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    try {
      const cutoff = new Date(Date.now() - this.config.EVAL_SAMPLE_RETENTION_DAYS * 86_400_000);
      const deleted = await this.store.deleteSamplesBefore(cutoff);
      if (deleted > 0) this.logger.info({ deleted }, 'expired evaluation samples deleted');
    } catch (err) {
      this.logger.warn({ err }, 'could not delete expired evaluation samples');
    }
  }
}
