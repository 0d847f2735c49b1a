import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@llm/service-runtime';
import { GetUsageSummaryCommand } from './use-cases/get-usage-summary/get-usage-summary.command';
import { GetUsageSummaryUseCase } from './use-cases/get-usage-summary/get-usage-summary.use-case';

/** Admin read API. Permission: admin token only (AdminTokenGuard). */
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class LedgerController {
  constructor(private readonly summary: GetUsageSummaryUseCase) {}

  @Get('usage')
  async usage(@Query() query: Record<string, unknown>) {
    return this.summary.execute(GetUsageSummaryCommand.create(query));
  }
}
