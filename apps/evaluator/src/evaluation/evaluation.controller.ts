import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@llm/service-runtime';
import { GetSummaryCommand } from './use-cases/get-summary/get-summary.command';
import { GetSummaryUseCase, type EvaluationSummary } from './use-cases/get-summary/get-summary.use-case';

/** Permission: admin only (AdminTokenGuard); the admin may read any tenant. */
@Controller('v1/evaluations')
@UseGuards(AdminTokenGuard)
export class EvaluationController {
  constructor(private readonly getSummary: GetSummaryUseCase) {}

  @Get('summary')
  async summary(@Query('tenant_id') tenantId: unknown): Promise<EvaluationSummary> {
    return this.getSummary.execute(GetSummaryCommand.create(tenantId));
  }
}
