import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from '@llm/telemetry';
import type { BatchPoller } from './batch-poller';
import type { BatchSubmitter } from './batch-submitter';

/** Runs the batch poller every pollMs while the worker is up; at shutdown submits what was still collecting. */
export class BatchPollerLoop implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly poller: BatchPoller,
    private readonly submitter: BatchSubmitter,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.poller
        .pollOnce()
        .catch((err: unknown) => this.logger.warn({ err }, 'batch poll pass failed'))
        .finally(() => (this.running = undefined));
    }, this.pollMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.submitter.flushAll();
    await this.running;
  }
}
