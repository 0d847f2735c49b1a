import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HealthRegistry, MetricsRegistry } from '@llm/telemetry';
import type { Response } from 'express';

/** /health and /metrics on every service. No auth by design: bind the port to a private network. */
@Controller()
export class OpsController {
  constructor(
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
  ) {}

  @Get('health')
  async healthCheck(@Res() res: Response): Promise<void> {
    const report = await this.health.report();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.render());
  }
}
