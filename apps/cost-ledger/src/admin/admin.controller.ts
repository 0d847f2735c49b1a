import { Body, Controller, Delete, Get, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { CurrentAdmin, AdminAuthGuard } from './auth/admin-auth.guard';
import type { AdminPrincipal } from './auth/admin-principal';
import { parseBody } from './admin-input';
import { AdminDirectoryUseCase } from './directory/admin-directory.use-case';
import {
  alertSettingsBody,
  createAdminTokenBody,
  createKeyBody,
  createPlanBody,
  updatePlanBody,
  createTenantBody,
  putBudgetBody,
  updateTenantBody,
} from './directory/directory.schemas';

/** Tenants, plans, admin tokens, API keys, budgets, alert settings. Permission: AdminAuthGuard + per-call access checks in the use case. */
@Controller('v1/admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(private readonly directory: AdminDirectoryUseCase) {}

  @Get('tenants')
  tenants(@CurrentAdmin() p: AdminPrincipal) {
    return this.directory.listTenants(p);
  }

  @Post('tenants')
  createTenant(@CurrentAdmin() p: AdminPrincipal, @Body() body: unknown) {
    return this.directory.createTenant(p, parseBody(createTenantBody, body));
  }

  @Get('tenants/:tenant')
  tenant(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string) {
    return this.directory.getTenant(p, tenant);
  }

  @Patch('tenants/:tenant')
  updateTenant(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Body() body: unknown) {
    return this.directory.updateTenant(p, tenant, parseBody(updateTenantBody, body));
  }

  @Get('plans')
  plans() {
    return this.directory.listPlans();
  }

  @Post('plans')
  createPlan(@CurrentAdmin() p: AdminPrincipal, @Body() body: unknown) {
    return this.directory.createPlan(p, parseBody(createPlanBody, body));
  }

  @Put('plans/:plan')
  updatePlan(@CurrentAdmin() p: AdminPrincipal, @Param('plan') plan: string, @Body() body: unknown) {
    return this.directory.updatePlan(p, plan, parseBody(updatePlanBody, body));
  }

  @Post('admin-tokens')
  createAdminToken(@CurrentAdmin() p: AdminPrincipal, @Body() body: unknown) {
    return this.directory.createAdminToken(p, parseBody(createAdminTokenBody, body));
  }

  @Delete('admin-tokens/:id')
  revokeAdminToken(@CurrentAdmin() p: AdminPrincipal, @Param('id') id: string) {
    return this.directory.revokeAdminToken(p, uuidParam(id));
  }

  @Get('tenants/:tenant/keys')
  keys(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string) {
    return this.directory.listKeys(p, tenant);
  }

  @Post('tenants/:tenant/keys')
  createKey(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Body() body: unknown) {
    return this.directory.createKey(p, tenant, parseBody(createKeyBody, body));
  }

  @Delete('tenants/:tenant/keys/:id')
  revokeKey(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string) {
    return this.directory.revokeKey(p, tenant, uuidParam(id));
  }

  @Get('tenants/:tenant/budgets')
  budgets(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string) {
    return this.directory.listBudgets(p, tenant);
  }

  @Put('tenants/:tenant/budgets')
  putBudget(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Body() body: unknown) {
    return this.directory.putBudget(p, tenant, parseBody(putBudgetBody, body));
  }

  @Delete('tenants/:tenant/budgets/:id')
  deleteBudget(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string) {
    return this.directory.deleteBudget(p, tenant, uuidParam(id));
  }

  @Put('tenants/:tenant/alert-settings')
  alertSettings(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Body() body: unknown) {
    return this.directory.putAlertSettings(p, tenant, parseBody(alertSettingsBody, body));
  }

  @Post('alerts/:id/ack')
  ack(@CurrentAdmin() p: AdminPrincipal, @Param('id') id: string) {
    return this.directory.ackAlert(p, uuidParam(id));
  }
}

function uuidParam(id: string): string {
  // Postgres would reject a malformed uuid with an internal error; it is simply not found.
  return /^[0-9a-f-]{36}$/i.test(id) ? id : '00000000-0000-0000-0000-000000000000';
}
