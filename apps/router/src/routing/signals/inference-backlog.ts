import type { BandLag } from '@llm/kafka';
import type { Logger } from '@llm/telemetry';

export interface LagSource {
  read(): Promise<BandLag>;
  close?(): Promise<void>;
}

/**
 * The inference workers' backlog (llm.inference.v1 messages their group has not committed), for the load
 * policy. Read at most once per `cacheMs` and off the request's path once a first reading exists; an
 * unreadable lag is "unknown", which downgrades nothing.
 */
export class InferenceBacklog {
  private lag?: number;
  private readAt = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly source: LagSource,
    private readonly cacheMs: number,
    private readonly logger: Logger,
  ) {}

  async current(now = Date.now()): Promise<number | undefined> {
    if (now - this.readAt > this.cacheMs) {
      const refresh = this.refresh(now);
      if (this.readAt === 0) await refresh;
    }
    return this.lag;
  }

  async onModuleDestroy(): Promise<void> {
    await this.source.close?.();
  }

  private refresh(now: number): Promise<void> {
    this.refreshing ??= this.source
      .read()
      .then((bands) => {
        this.lag = bands.reduce((s, l) => s + l, 0);
      })
      .catch((err: unknown) => {
        this.lag = undefined;
        this.logger.warn({ err }, 'could not read the inference backlog; the load policy downgrades nothing until it can');
      })
      .finally(() => {
        this.readAt = now;
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
