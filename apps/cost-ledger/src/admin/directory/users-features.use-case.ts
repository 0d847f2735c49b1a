import { Inject, Injectable } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';
import { hashUserId } from '@llm/telemetry';
import type { z } from 'zod';
import { BudgetSync } from '../../budgets/budget-sync';
import { cursor } from '../admin-input';
import { AdminError } from '../admin.errors';
import { access, type AdminPrincipal } from '../auth/admin-principal';
import { audit } from './audit.repository';
import type { createFeatureBody, createUserBody, updateFeatureBody, updateUserBody } from './directory.schemas';

type UserRow = { id: string; tenantId: string; userHash: string; displayName: string; createdAt: Date; updatedAt: Date };
type FeatureRow = { tenantId: string; name: string; description: string; createdAt: Date; updatedAt: Date };

/**
 * The users and features of a tenant: the subjects its user and feature budgets name. A user is known by the hash
 * of the id callers send (x-user-id), as usage records it, never by the raw id; a feature by its name (x-feature).
 * Deleting one deletes its budgets in the same transaction, so no budget is left naming a subject that is gone;
 * setting a user or feature budget registers its subject (AdminDirectoryUseCase.putBudget).
 */
@Injectable()
export class UsersFeaturesUseCase {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    private readonly budgets: BudgetSync,
  ) {}

  async listUsers(p: AdminPrincipal, tenantId: string, limit: number, after: unknown) {
    access.read(p, tenantId);
    const c = cursor.decode<{ c: string; i: string }>(after, ['c', 'i']);
    const from = c ? new Date(c.c) : undefined;
    if (from && Number.isNaN(from.getTime())) throw new AdminError('INVALID_REQUEST', 'cursor is not one this API issued');
    const rows = await this.prisma.user.findMany({
      where: { tenantId, ...(c && from ? { OR: [{ createdAt: { gt: from } }, { createdAt: from, id: { gt: uuidOrNil(c.i) } }] } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { rows: page.map(userDto), next_cursor: rows.length > limit && last ? cursor.encode({ c: last.createdAt.toISOString(), i: last.id }) : null };
  }

  async getUser(p: AdminPrincipal, tenantId: string, id: string) {
    access.read(p, tenantId);
    return userDto(await this.findUser(tenantId, id));
  }

  async createUser(p: AdminPrincipal, tenantId: string, b: z.infer<typeof createUserBody>) {
    access.write(p, tenantId);
    await this.tenantExists(tenantId);
    const userHash = hashUserId(b.user_id)!;
    const row = await conflictAs('this user already exists in the tenant', () =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.user.create({ data: { tenantId, userHash, displayName: b.display_name } });
        // The raw user id is PII: the audit row keeps its hash only.
        await audit(tx, p, { tenantId, action: 'user.create', targetType: 'user', targetId: row.id, details: { user_hash: userHash, display_name: b.display_name } });
        return row;
      }),
    );
    return userDto(row);
  }

  async updateUser(p: AdminPrincipal, tenantId: string, id: string, b: z.infer<typeof updateUserBody>) {
    access.write(p, tenantId);
    await this.findUser(tenantId, id);
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await tx.user.update({ where: { id }, data: { displayName: b.display_name, updatedAt: new Date() } });
      await audit(tx, p, { tenantId, action: 'user.update', targetType: 'user', targetId: id, details: b });
      return row;
    });
    return userDto(row);
  }

  async deleteUser(p: AdminPrincipal, tenantId: string, id: string) {
    access.write(p, tenantId);
    const user = await this.findUser(tenantId, id);
    const removed = await this.prisma.$transaction(async (tx) => {
      const budgets = await tx.budget.deleteMany({ where: { tenantId, scope: 'user', subject: user.userHash } });
      await tx.user.delete({ where: { id } });
      await audit(tx, p, { tenantId, action: 'user.delete', targetType: 'user', targetId: id, details: { user_hash: user.userHash, budgets_deleted: budgets.count } });
      return budgets.count;
    });
    if (removed > 0) await this.budgets.run(tenantId);
    return { id, deleted: true, budgets_deleted: removed };
  }

  async listFeatures(p: AdminPrincipal, tenantId: string, limit: number, after: unknown) {
    access.read(p, tenantId);
    const c = cursor.decode<{ n: string }>(after, ['n']);
    const rows = await this.prisma.feature.findMany({ where: { tenantId, ...(c ? { name: { gt: c.n } } : {}) }, orderBy: { name: 'asc' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { rows: page.map(featureDto), next_cursor: rows.length > limit && last ? cursor.encode({ n: last.name }) : null };
  }

  async getFeature(p: AdminPrincipal, tenantId: string, name: string) {
    access.read(p, tenantId);
    return featureDto(await this.findFeature(tenantId, name));
  }

  async createFeature(p: AdminPrincipal, tenantId: string, b: z.infer<typeof createFeatureBody>) {
    access.write(p, tenantId);
    await this.tenantExists(tenantId);
    const row = await conflictAs('this feature already exists in the tenant', () =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.feature.create({ data: { tenantId, name: b.name, description: b.description } });
        await audit(tx, p, { tenantId, action: 'feature.create', targetType: 'feature', targetId: b.name, details: b });
        return row;
      }),
    );
    return featureDto(row);
  }

  async updateFeature(p: AdminPrincipal, tenantId: string, name: string, b: z.infer<typeof updateFeatureBody>) {
    access.write(p, tenantId);
    await this.findFeature(tenantId, name);
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await tx.feature.update({ where: { tenantId_name: { tenantId, name } }, data: { description: b.description, updatedAt: new Date() } });
      await audit(tx, p, { tenantId, action: 'feature.update', targetType: 'feature', targetId: name, details: b });
      return row;
    });
    return featureDto(row);
  }

  async deleteFeature(p: AdminPrincipal, tenantId: string, name: string) {
    access.write(p, tenantId);
    await this.findFeature(tenantId, name);
    const removed = await this.prisma.$transaction(async (tx) => {
      const budgets = await tx.budget.deleteMany({ where: { tenantId, scope: 'feature', subject: name } });
      await tx.feature.delete({ where: { tenantId_name: { tenantId, name } } });
      await audit(tx, p, { tenantId, action: 'feature.delete', targetType: 'feature', targetId: name, details: { budgets_deleted: budgets.count } });
      return budgets.count;
    });
    if (removed > 0) await this.budgets.run(tenantId);
    return { name, deleted: true, budgets_deleted: removed };
  }

  private async tenantExists(tenantId: string): Promise<void> {
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw new AdminError('NOT_FOUND', 'no such tenant');
  }

  private async findUser(tenantId: string, id: string): Promise<UserRow> {
    const row = await this.prisma.user.findFirst({ where: { tenantId, id: uuidOrNil(id) } });
    if (!row) throw new AdminError('NOT_FOUND', 'no such user');
    return row;
  }

  private async findFeature(tenantId: string, name: string): Promise<FeatureRow> {
    const row = await this.prisma.feature.findUnique({ where: { tenantId_name: { tenantId, name } } });
    if (!row) throw new AdminError('NOT_FOUND', 'no such feature');
    return row;
  }
}

/** Postgres would reject a malformed uuid with an internal error; it is simply not found. */
export function uuidOrNil(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : '00000000-0000-0000-0000-000000000000';
}

/** A unique violation answers CONFLICT: the index decides, never a read before the insert. */
export async function conflictAs<V>(message: string, work: () => Promise<V>): Promise<V> {
  try {
    return await work();
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new AdminError('CONFLICT', message, false, { cause: err });
    throw err;
  }
}

function userDto(u: UserRow) {
  return { id: u.id, tenant_id: u.tenantId, user_hash: u.userHash, display_name: u.displayName, created_at: u.createdAt.toISOString(), updated_at: u.updatedAt.toISOString() };
}

function featureDto(f: FeatureRow) {
  return { tenant_id: f.tenantId, name: f.name, description: f.description, created_at: f.createdAt.toISOString(), updated_at: f.updatedAt.toISOString() };
}
