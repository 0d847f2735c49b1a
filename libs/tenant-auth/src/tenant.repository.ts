import { Inject, Injectable } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';
import { unavailableOnFailure } from '@llm/errors';
import type { Principal, TenantRecord } from './principal';
import { TenantDirectory } from './tenant-directory';

/** Read-only view of tenants and API keys (owned by cost-ledger's schema in libs/db). */
@Injectable()
export class TenantRepository extends TenantDirectory {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {
    super();
  }

  async findPrincipal(keyHash: string): Promise<(Principal & { active: boolean }) | undefined> {
    const key = await unavailableOnFailure('the tenant directory', () => this.prisma.apiKey.findUnique({ where: { keyHash }, include: { tenant: true } }));
    if (!key || key.revokedAt !== null) return undefined;
    return { tenantId: key.tenantId, tier: key.tenant.tier, apiKeyId: key.id, active: key.tenant.status === 'active' };
  }

  async findTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const tenant = await unavailableOnFailure('the tenant directory', () => this.prisma.tenant.findUnique({ where: { id: tenantId } }));
    return tenant ? { id: tenant.id, tier: tenant.tier, active: tenant.status === 'active' } : undefined;
  }
}

/** A database outage is the caller's 503 with a retry hint (and a retry on Kafka), never an internal error. */
