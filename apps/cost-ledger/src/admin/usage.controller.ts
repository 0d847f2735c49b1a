import { Body, Controller, Get, Header, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { parseBody, parseLimit, toCsv } from './admin-input';
import { AdminAuthGuard, CurrentAdmin } from './auth/admin-auth.guard';
import type { AdminPrincipal } from './auth/admin-principal';
import { ADMIN_OPENAPI } from './openapi';
import { AdminReadsUseCase } from './usage/admin-reads.use-case';
import { estimateBody } from './usage/estimate-cost.use-case';
import { UsageQueryCommand } from './usage/usage-query.command';

/** Usage, spend, savings, events, alerts, audit and estimates. Permission: AdminAuthGuard; every read is tenant-scoped by the use case. */
@Controller('v1/admin')
export class UsageController {
  constructor(private readonly reads: AdminReadsUseCase) {}

  /** Permission: none (the document describes the API, it holds no data). */
  @Get('openapi.json')
  openapi() {
    return ADMIN_OPENAPI;
  }

  @Get('usage')
  @UseGuards(AdminAuthGuard)
  usage(@CurrentAdmin() p: AdminPrincipal, @Query() q: Record<string, unknown>) {
    return this.reads.usage(p, UsageQueryCommand.create(q));
  }

  @Get('usage.csv')
  @UseGuards(AdminAuthGuard)
  @Header('content-type', 'text/csv; charset=utf-8')
  async usageCsv(@CurrentAdmin() p: AdminPrincipal, @Query() q: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const result = await this.reads.usageExport(p, UsageQueryCommand.create(q));
    res.setHeader('content-disposition', 'attachment; filename="usage.csv"');
    // A spreadsheet has nowhere to show a flag: a cut export says so in a header the caller can check.
    if (result.truncated) res.setHeader('x-truncated', 'true');
    return toCsv(result.rows);
  }

  @Get('top-spenders')
  @UseGuards(AdminAuthGuard)
  top(@CurrentAdmin() p: AdminPrincipal, @Query() q: Record<string, unknown>) {
    return this.reads.topSpenders(p, q, parseLimit(q.limit, 10, 1000));
  }

  @Get('savings')
  @UseGuards(AdminAuthGuard)
  savings(@CurrentAdmin() p: AdminPrincipal, @Query() q: Record<string, unknown>) {
    return this.reads.savings(p, q);
  }

  @Get('tenants/:tenant/requests/:requestId')
  @UseGuards(AdminAuthGuard)
  request(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('requestId') requestId: string) {
    return this.reads.requestCost(p, tenant, requestId);
  }

  @Get('tenants/:tenant/events')
  @UseGuards(AdminAuthGuard)
  events(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Query() q: Record<string, unknown>) {
    return this.reads.events(p, tenant, q, parseLimit(q.limit, 100, 1000));
  }

  @Get('alerts')
  @UseGuards(AdminAuthGuard)
  alerts(@CurrentAdmin() p: AdminPrincipal, @Query() q: Record<string, unknown>) {
    return this.reads.alerts(p, q, parseLimit(q.limit, 100, 1000));
  }

  @Get('audit')
  @UseGuards(AdminAuthGuard)
  audit(@CurrentAdmin() p: AdminPrincipal, @Query() q: Record<string, unknown>) {
    return this.reads.audit(p, q, parseLimit(q.limit, 100, 1000));
  }

  @Post('cost-estimate')
  @UseGuards(AdminAuthGuard)
  estimate(@Body() body: unknown) {
    return this.reads.estimate(parseBody(estimateBody, body));
  }
}
