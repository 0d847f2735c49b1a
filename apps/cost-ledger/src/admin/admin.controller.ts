import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { CurrentAdmin, AdminAuthGuard } from './auth/admin-auth.guard';
import type { AdminPrincipal } from './auth/admin-principal';
import { parseBody, parseLimit } from './admin-input';
import { AdminDirectoryUseCase } from './directory/admin-directory.use-case';
import {
  alertSettingsBody,
  createAdminTokenBody,
  createFeatureBody,
  createKeyBody,
  createPlanBody,
  createUserBody,
  featureName,
  updatePlanBody,
  createTenantBody,
  putBudgetBody,
  putKeyLimitsBody,
  updateFeatureBody,
  updateTenantBody,
  updateUserBody,
} from './directory/directory.schemas';
import { UsersFeaturesUseCase } from './directory/users-features.use-case';

/**
 * Tenants, plans, admin tokens, API keys and their admission overrides, users, features, budgets, alert settings.
 * Permission: AdminAuthGuard + per-call access checks in the use case.
 */
@Controller('v1/admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(
    private readonly directory: AdminDirectoryUseCase,
    private readonly members: UsersFeaturesUseCase,
  ) {}

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

  @Get('tenants/:tenant/keys/:id/limits')
  keyLimits(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string) {
    return this.directory.getKeyLimits(p, tenant, uuidParam(id));
  }

  @Put('tenants/:tenant/keys/:id/limits')
  putKeyLimits(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string, @Body() body: unknown) {
    return this.directory.putKeyLimits(p, tenant, uuidParam(id), parseBody(putKeyLimitsBody, body));
  }

  @Delete('tenants/:tenant/keys/:id/limits')
  deleteKeyLimits(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string) {
    return this.directory.deleteKeyLimits(p, tenant, uuidParam(id));
  }

  @Get('tenants/:tenant/users')
  users(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Query() q: Record<string, unknown>) {
    return this.members.listUsers(p, tenant, parseLimit(q.limit, 100, 1000), q.cursor);
  }

  @Post('tenants/:tenant/users')
  createUser(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Body() body: unknown) {
    return this.members.createUser(p, tenant, parseBody(createUserBody, body));
  }

  @Get('tenants/:tenant/users/:id')
  user(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string) {
    return this.members.getUser(p, tenant, id);
  }

  @Patch('tenants/:tenant/users/:id')
  updateUser(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string, @Body() body: unknown) {
    return this.members.updateUser(p, tenant, id, parseBody(updateUserBody, body));
  }

  @Delete('tenants/:tenant/users/:id')
  deleteUser(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('id') id: string) {
    return this.members.deleteUser(p, tenant, id);
  }

  @Get('tenants/:tenant/features')
  features(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Query() q: Record<string, unknown>) {
    return this.members.listFeatures(p, tenant, parseLimit(q.limit, 100, 1000), q.cursor);
  }

  @Post('tenants/:tenant/features')
  createFeature(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Body() body: unknown) {
    return this.members.createFeature(p, tenant, parseBody(createFeatureBody, body));
  }

  @Get('tenants/:tenant/features/:name')
  feature(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('name') name: string) {
    return this.members.getFeature(p, tenant, parseBody(featureName, name));
  }

  @Patch('tenants/:tenant/features/:name')
  updateFeature(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('name') name: string, @Body() body: unknown) {
    return this.members.updateFeature(p, tenant, parseBody(featureName, name), parseBody(updateFeatureBody, body));
  }

  @Delete('tenants/:tenant/features/:name')
  deleteFeature(@CurrentAdmin() p: AdminPrincipal, @Param('tenant') tenant: string, @Param('name') name: string) {
    return this.members.deleteFeature(p, tenant, parseBody(featureName, name));
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
