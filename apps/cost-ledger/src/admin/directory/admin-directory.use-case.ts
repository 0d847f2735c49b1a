import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hashApiKey, PRISMA, type Prisma, type PrismaClient } from '@llm/db';
import { ADMISSION_PLANS_CHANNEL, API_KEY_REVOCATIONS_CHANNEL, REDIS, type Redis } from '@llm/redis';
import { hashUserId } from '@llm/telemetry';
import type { z } from 'zod';
import { BudgetSync } from '../../budgets/budget-sync';
import { AdminError } from '../admin.errors';
import { access, type AdminPrincipal } from '../auth/admin-principal';
import { audit } from './audit.repository';
import type {
  alertSettingsBody,
  createAdminTokenBody,
  createKeyBody,
  createPlanBody,
  createTenantBody,
  putBudgetBody,
  putKeyLimitsBody,
  updatePlanBody,
  updateTenantBody,
} from './directory.schemas';

const n = (v: bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));

/**
 * Tenants, plans, admin tokens, API keys, budgets and alert settings. Every change and its audit row commit in
 * one transaction. Secrets (API keys, admin tokens) are returned once, at creation, and stored as hashes.
 */
@Injectable()
export class AdminDirectoryUseCase {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly budgets: BudgetSync,
  ) {}

  async listTenants(p: AdminPrincipal) {
    const rows = await this.prisma.tenant.findMany({ where: p.tenantId ? { id: p.tenantId } : {}, include: { plan: true }, orderBy: { id: 'asc' }, take: 10_000 });
    return rows.map(tenantDto);
  }

  async getTenant(p: AdminPrincipal, id: string) {
    access.read(p, id);
    const t = await this.prisma.tenant.findUnique({ where: { id }, include: { plan: true } });
    if (!t) throw new AdminError('NOT_FOUND', 'no such tenant');
    return tenantDto(t);
  }

  async createTenant(p: AdminPrincipal, b: z.infer<typeof createTenantBody>) {
    access.platform(p);
    const t = await this.conflictAs('a tenant with this id exists', () =>
      this.prisma.$transaction(async (tx) => {
        const t = await tx.tenant.create({
          data: { id: b.id, name: b.name, tier: b.tier, ...(b.plan_id ? { plan: { create: { planId: b.plan_id } } } : {}) },
          include: { plan: true },
        });
        await audit(tx, p, { tenantId: b.id, action: 'tenant.create', targetType: 'tenant', targetId: b.id, details: b });
        return t;
      }),
    );
    return tenantDto(t);
  }

  async updateTenant(p: AdminPrincipal, id: string, b: z.infer<typeof updateTenantBody>) {
    access.platform(p);
    await this.getTenant(p, id);
    const t = await this.prisma.$transaction(async (tx) => {
      const plan =
        b.plan_id === undefined ? {} : b.plan_id === null ? { plan: { delete: true } } : { plan: { upsert: { create: { planId: b.plan_id }, update: { planId: b.plan_id } } } };
      const t = await tx.tenant.update({ where: { id }, data: { name: b.name, tier: b.tier, status: b.status, ...plan }, include: { plan: true } });
      await audit(tx, p, { tenantId: id, action: 'tenant.update', targetType: 'tenant', targetId: id, details: b });
      return t;
    });
    // A suspension (or a tier change) must reach every ingress now, not when its cache expires.
    if (b.status !== undefined || b.tier !== undefined) await this.announceKeys(id);
    if (b.plan_id !== undefined) {
      await this.budgets.run(id);
      await this.plansChanged();
    }
    return tenantDto(t);
  }

  async listPlans() {
    return (await this.prisma.plan.findMany({ orderBy: { id: 'asc' } })).map((pl) => ({
      id: pl.id,
      name: pl.name,
      tier: pl.tier,
      daily_budget_micros: n(pl.dailyBudgetMicros),
      monthly_budget_micros: n(pl.monthlyBudgetMicros),
      admission: pl.admission ?? null,
    }));
  }

  async createPlan(p: AdminPrincipal, b: z.infer<typeof createPlanBody>) {
    access.platform(p);
    await this.conflictAs('a plan with this id exists', () =>
      this.prisma.$transaction(async (tx) => {
        await tx.plan.create({
          data: {
            id: b.id,
            name: b.name,
            tier: b.tier,
            dailyBudgetMicros: b.daily_budget_micros ?? null,
            monthlyBudgetMicros: b.monthly_budget_micros ?? null,
            ...(b.admission ? { admission: b.admission } : {}),
          },
        });
        await audit(tx, p, { tenantId: null, action: 'plan.create', targetType: 'plan', targetId: b.id, details: b });
      }),
    );
    if (b.admission) await this.plansChanged();
    return (await this.listPlans()).find((pl) => pl.id === b.id)!;
  }

  async updatePlan(p: AdminPrincipal, id: string, b: z.infer<typeof updatePlanBody>) {
    access.platform(p);
    await this.prisma.$transaction(async (tx) => {
      if (!(await tx.plan.findUnique({ where: { id } }))) throw new AdminError('NOT_FOUND', `no plan ${id}`);
      await tx.plan.update({
        where: { id },
        data: { name: b.name, dailyBudgetMicros: b.daily_budget_micros, monthlyBudgetMicros: b.monthly_budget_micros },
      });
      // SQL NULL (a budget-only plan again), not JSON null: ingress reads `admission is not null`.
      if (b.admission !== undefined) await tx.$executeRaw`update plans set admission = ${b.admission === null ? null : JSON.stringify(b.admission)}::jsonb where id = ${id}`;
      await audit(tx, p, { tenantId: null, action: 'plan.update', targetType: 'plan', targetId: id, details: b });
    });
    if (b.admission !== undefined) await this.plansChanged();
    return (await this.listPlans()).find((pl) => pl.id === id)!;
  }

  /** Every ingress reloads its plans (its periodic refresh bounds a lost message). */
  private async plansChanged(): Promise<void> {
    await this.redis.publish(ADMISSION_PLANS_CHANNEL, String(Date.now())).catch(() => undefined);
  }

  async createAdminToken(p: AdminPrincipal, b: z.infer<typeof createAdminTokenBody>) {
    // Tenant admins may mint read-only tokens of their own tenant; everything else is a platform admin's.
    if (!(p.role === 'tenant_admin' && b.role === 'read_only' && b.tenant_id === p.tenantId)) access.platform(p);
    const token = `adm-${randomBytes(24).toString('base64url')}`;
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await tx.adminToken.create({ data: { tokenHash: hashApiKey(token), name: b.name, role: b.role, tenantId: b.tenant_id ?? null } });
      await audit(tx, p, { tenantId: b.tenant_id ?? null, action: 'admin_token.create', targetType: 'admin_token', targetId: row.id, details: { name: b.name, role: b.role } });
      return row;
    });
    return { id: row.id, name: row.name, role: row.role, tenant_id: row.tenantId, token };
  }

  async revokeAdminToken(p: AdminPrincipal, id: string) {
    const row = await this.prisma.adminToken.findUnique({ where: { id } });
    if (!row || (p.tenantId !== null && row.tenantId !== p.tenantId)) throw new AdminError('NOT_FOUND', 'no such admin token');
    if (row.role !== 'read_only' || p.role !== 'tenant_admin') access.platform(p);
    await this.prisma.$transaction(async (tx) => {
      await tx.adminToken.update({ where: { id }, data: { revokedAt: new Date() } });
      await audit(tx, p, { tenantId: row.tenantId, action: 'admin_token.revoke', targetType: 'admin_token', targetId: id });
    });
    return { id, revoked: true };
  }

  async listKeys(p: AdminPrincipal, tenantId: string) {
    access.read(p, tenantId);
    const keys = await this.prisma.apiKey.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
    return keys.map(keyDto);
  }

  async createKey(p: AdminPrincipal, tenantId: string, b: z.infer<typeof createKeyBody>) {
    access.write(p, tenantId);
    await this.getTenant(p, tenantId);
    const secret = `sk-${randomBytes(24).toString('base64url')}`;
    const key = await this.prisma.$transaction(async (tx) => {
      const key = await tx.apiKey.create({ data: { tenantId, keyHash: hashApiKey(secret), prefix: secret.slice(0, 8), name: b.name } });
      await audit(tx, p, { tenantId, action: 'api_key.create', targetType: 'api_key', targetId: key.id, details: { name: b.name } });
      return key;
    });
    return { ...keyDto(key), secret };
  }

  async revokeKey(p: AdminPrincipal, tenantId: string, id: string) {
    access.write(p, tenantId);
    const key = await this.prisma.apiKey.findFirst({ where: { tenantId, id } });
    if (!key) throw new AdminError('NOT_FOUND', 'no such API key');
    const revoked = await this.prisma.$transaction(async (tx) => {
      const k = await tx.apiKey.update({ where: { id }, data: { revokedAt: key.revokedAt ?? new Date() } });
      await audit(tx, p, { tenantId, action: 'api_key.revoke', targetType: 'api_key', targetId: id });
      return k;
    });
    await this.redis.publish(API_KEY_REVOCATIONS_CHANNEL, key.keyHash);
    return keyDto(revoked);
  }

  async getKeyLimits(p: AdminPrincipal, tenantId: string, id: string) {
    access.read(p, tenantId);
    const key = await this.prisma.apiKey.findFirst({ where: { tenantId, id } });
    if (!key) throw new AdminError('NOT_FOUND', 'no such API key');
    return { key_id: id, tenant_id: tenantId, overrides: key.admissionOverrides ?? null };
  }

  /** A key's admission overrides; every ingress applies them within a pub/sub hop (ADMISSION_PLANS_REFRESH_MS if it is lost). */
  async putKeyLimits(p: AdminPrincipal, tenantId: string, id: string, b: z.infer<typeof putKeyLimitsBody>) {
    access.write(p, tenantId);
    const key = await this.prisma.apiKey.findFirst({ where: { tenantId, id } });
    if (!key) throw new AdminError('NOT_FOUND', 'no such API key');
    if (key.revokedAt) throw new AdminError('CONFLICT', 'this API key is revoked');
    await this.prisma.$transaction(async (tx) => {
      await tx.apiKey.update({ where: { id }, data: { admissionOverrides: JSON.parse(JSON.stringify(b)) as Prisma.InputJsonValue } });
      await audit(tx, p, { tenantId, action: 'api_key.limits.put', targetType: 'api_key', targetId: id, details: b });
    });
    await this.plansChanged();
    return { key_id: id, tenant_id: tenantId, overrides: b };
  }

  async deleteKeyLimits(p: AdminPrincipal, tenantId: string, id: string) {
    access.write(p, tenantId);
    const key = await this.prisma.apiKey.findFirst({ where: { tenantId, id } });
    if (!key) throw new AdminError('NOT_FOUND', 'no such API key');
    await this.prisma.$transaction(async (tx) => {
      // SQL NULL, not JSON null: ingress reads `admission_overrides is not null`.
      await tx.$executeRaw`update api_keys set admission_overrides = null where id = ${id}::uuid`;
      await audit(tx, p, { tenantId, action: 'api_key.limits.delete', targetType: 'api_key', targetId: id });
    });
    await this.plansChanged();
    return { key_id: id, tenant_id: tenantId, overrides: null };
  }

  async listBudgets(p: AdminPrincipal, tenantId: string) {
    access.read(p, tenantId);
    const rows = await this.prisma.budget.findMany({ where: { tenantId }, orderBy: [{ scope: 'asc' }, { subject: 'asc' }, { period: 'asc' }] });
    const hashes = rows.filter((r) => r.scope === 'user').map((r) => r.subject);
    const users = hashes.length ? await this.prisma.user.findMany({ where: { tenantId, userHash: { in: hashes } }, select: { id: true, userHash: true } }) : [];
    const userIds = new Map(users.map((u) => [u.userHash, u.id]));
    return rows.map((r) => ({ ...budgetDto(r), user_ref: r.scope === 'user' ? (userIds.get(r.subject) ?? null) : null }));
  }

  async putBudget(p: AdminPrincipal, tenantId: string, b: z.infer<typeof putBudgetBody>) {
    access.write(p, tenantId);
    await this.getTenant(p, tenantId);
    const subject = b.scope === 'user' ? hashUserId(b.user_id)! : b.scope === 'feature' ? b.feature! : '';
    const limits = {
      limitMicros: b.limit_micros === undefined || b.limit_micros === null ? null : BigInt(b.limit_micros),
      limitTokens: b.limit_tokens === undefined || b.limit_tokens === null ? null : BigInt(b.limit_tokens),
    };
    const row = await this.prisma.$transaction(async (tx) => {
      // A user or feature budget names a row of the tenant's users or features: registered here when new.
      if (b.scope === 'user')
        await tx.user.upsert({ where: { tenantId_userHash: { tenantId, userHash: subject } }, create: { tenantId, userHash: subject, displayName: '' }, update: {} });
      if (b.scope === 'feature') await tx.feature.upsert({ where: { tenantId_name: { tenantId, name: subject } }, create: { tenantId, name: subject }, update: {} });
      const row = await tx.budget.upsert({
        where: { tenantId_scope_subject_period: { tenantId, scope: b.scope, subject, period: b.period } },
        create: { tenantId, scope: b.scope, subject, period: b.period, ...limits },
        update: { ...limits, updatedAt: new Date() },
      });
      await audit(tx, p, { tenantId, action: 'budget.put', targetType: 'budget', targetId: row.id, details: { scope: b.scope, subject, period: b.period, ...limits } });
      return row;
    });
    await this.budgets.run(tenantId);
    return budgetDto(row);
  }

  async deleteBudget(p: AdminPrincipal, tenantId: string, id: string) {
    access.write(p, tenantId);
    const row = await this.prisma.budget.findFirst({ where: { tenantId, id } });
    if (!row) throw new AdminError('NOT_FOUND', 'no such budget');
    await this.prisma.$transaction(async (tx) => {
      await tx.budget.delete({ where: { id } });
      await audit(tx, p, { tenantId, action: 'budget.delete', targetType: 'budget', targetId: id, details: { scope: row.scope, subject: row.subject, period: row.period } });
    });
    await this.budgets.run(tenantId);
    return { id, deleted: true };
  }

  async putAlertSettings(p: AdminPrincipal, tenantId: string, b: z.infer<typeof alertSettingsBody>) {
    access.write(p, tenantId);
    await this.getTenant(p, tenantId);
    const data = {
      spikeFactorPct: b.spike_factor_pct,
      expensiveRequestMicros: b.expensive_request_micros === undefined ? undefined : BigInt(b.expensive_request_micros),
      budgetThresholdsPct: b.budget_thresholds_pct,
      webhookUrl: b.webhook_url,
      webhookSecret: b.webhook_secret,
    };
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await tx.alertSettings.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: { ...data, updatedAt: new Date() } });
      const { webhook_secret: _secret, ...details } = b;
      await audit(tx, p, {
        tenantId,
        action: 'alert_settings.put',
        targetType: 'alert_settings',
        targetId: tenantId,
        details: { ...details, webhook_secret_set: b.webhook_secret !== undefined },
      });
      return row;
    });
    return {
      tenant_id: tenantId,
      spike_factor_pct: row.spikeFactorPct,
      expensive_request_micros: Number(row.expensiveRequestMicros),
      budget_thresholds_pct: row.budgetThresholdsPct,
      webhook_url: row.webhookUrl,
      webhook_secret_set: row.webhookSecret !== null,
    };
  }

  async ackAlert(p: AdminPrincipal, id: string) {
    const alert = await this.prisma.alert.findUnique({ where: { id } });
    if (!alert) throw new AdminError('NOT_FOUND', 'no such alert');
    access.write(p, alert.tenantId);
    await this.prisma.$transaction(async (tx) => {
      await tx.alert.update({ where: { id }, data: { ackedAt: alert.ackedAt ?? new Date(), ackedBy: alert.ackedBy ?? p.actor } });
      await audit(tx, p, { tenantId: alert.tenantId, action: 'alert.ack', targetType: 'alert', targetId: id });
    });
    return { id, acked: true };
  }

  private async announceKeys(tenantId: string): Promise<void> {
    const keys = await this.prisma.apiKey.findMany({ where: { tenantId }, select: { keyHash: true } });
    for (const k of keys) await this.redis.publish(API_KEY_REVOCATIONS_CHANNEL, k.keyHash);
  }

  private async conflictAs<V>(message: string, work: () => Promise<V>): Promise<V> {
    try {
      return await work();
    } catch (err) {
      // Unique violation: the index decides, never a read before the insert.
      if ((err as { code?: string }).code === 'P2002') throw new AdminError('CONFLICT', message, false, { cause: err });
      throw err;
    }
  }
}

function tenantDto(t: { id: string; name: string; tier: string; status: string; plan: { planId: string } | null; createdAt: Date }) {
  return { id: t.id, name: t.name, tier: t.tier, status: t.status, plan_id: t.plan?.planId ?? null, created_at: t.createdAt.toISOString() };
}

function keyDto(k: { id: string; tenantId: string; name: string; prefix: string; createdAt: Date; revokedAt: Date | null }) {
  return { id: k.id, tenant_id: k.tenantId, name: k.name, prefix: k.prefix, created_at: k.createdAt.toISOString(), revoked_at: k.revokedAt?.toISOString() ?? null };
}

function budgetDto(b: { id: string; tenantId: string; scope: string; subject: string; period: string; limitMicros: bigint | null; limitTokens: bigint | null }) {
  return { id: b.id, tenant_id: b.tenantId, scope: b.scope, subject: b.subject, period: b.period, limit_micros: n(b.limitMicros), limit_tokens: n(b.limitTokens) };
}
