import { hashApiKey } from './api-keys';
import type { PrismaClient } from './prisma.client';

export interface TenantSeed {
  tenantId: string;
  tier: 'paid' | 'free';
  apiKey: string;
  name?: string;
}

/** Creates (or keeps) a tenant and one API key for it. Idempotent: safe on every `make up`. */
export async function seedTenant(prisma: PrismaClient, seed: TenantSeed): Promise<void> {
  await prisma.tenant.upsert({
    where: { id: seed.tenantId },
    create: { id: seed.tenantId, name: seed.name ?? seed.tenantId, tier: seed.tier },
    update: {},
  });
  await prisma.apiKey.upsert({
    where: { keyHash: hashApiKey(seed.apiKey) },
    create: { tenantId: seed.tenantId, keyHash: hashApiKey(seed.apiKey), prefix: seed.apiKey.slice(0, 8), name: 'seed' },
    update: {},
  });
}
