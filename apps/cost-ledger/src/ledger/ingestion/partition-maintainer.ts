import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { UsageIngestRepository } from './usage-ingest.repository';

const EVERY_MS = 6 * 3600 * 1000;

/**
 * Keeps monthly usage partitions created ahead (this month, the previous one for late events, two ahead), at
 * boot and every few hours, so rows never land in the default partition in normal operation.
 */
@Injectable()
export class PartitionMaintainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private first: Promise<void> | undefined;

  constructor(
    private readonly repo: UsageIngestRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * The first maintenance run, started on first ask. Ingestion waits for it before its first write: the Kafka
   * consumer starts before the application bootstrap hooks, and a row of a month whose partition did not exist
   * yet would land in the default partition and keep that month's partition from ever being created.
   */
  ready(): Promise<void> {
    this.first ??= this.run();
    return this.first;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    try {
      const created = await this.repo.ensurePartitions(new Date(), 1, 2);
      if (created.length > 0) this.log.info({ created }, 'usage partitions created');
    } catch (err) {
      // E.g. the default partition already holds rows of that month: they stay there, still counted.
      this.log.warn({ err }, 'usage partition maintenance failed');
    }
  }
}
