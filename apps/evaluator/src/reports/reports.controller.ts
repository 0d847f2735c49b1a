import { Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@llm/service-runtime';
import type { Response } from 'express';
import { ReportFiles } from './report-files';
import { BuildOnlineReportCommand } from './use-cases/build-online-report/build-online-report.command';
import { BuildOnlineReportUseCase } from './use-cases/build-online-report/build-online-report.use-case';

/**
 * Permission: admin only (AdminTokenGuard), like the other evaluator APIs: reports name tenants, models and
 * costs. Pages are static files written by runs; a browser sends the token as an Authorization header.
 */
@Controller()
@UseGuards(AdminTokenGuard)
export class ReportsController {
  constructor(
    @Inject(ReportFiles) private readonly files: ReportFiles,
    private readonly buildOnline: BuildOnlineReportUseCase,
  ) {}

  /** To the index file itself, so the page's relative links resolve under /reports/. */
  @Get('reports')
  index(@Res() res: Response): void {
    res.redirect(302, '/reports/index.html');
  }

  @Get('reports/*path')
  file(@Param('path') path: string | string[], @Res() res: Response): void {
    this.send(res, Array.isArray(path) ? path : path.split('/'));
  }

  /** Builds a report of the online verdicts of one tenant over the last hours and returns where it is. */
  @Post('v1/reports/online')
  @HttpCode(201)
  async online(@Query('tenant_id') tenantId: unknown, @Query('hours') hours: unknown): Promise<{ run_id: string; url: string }> {
    const report = await this.buildOnline.execute(BuildOnlineReportCommand.create(tenantId, hours));
    return { run_id: report.run_id, url: `/reports/${report.run_id}/index.html` };
  }

  private send(res: Response, segments: readonly string[]): void {
    const file = this.files.resolve(segments);
    res.type(file.contentType).send(file.body);
  }
}
