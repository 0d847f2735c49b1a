import { databaseSchema, loadConfig } from '@llm/config';
import { z } from 'zod';
import { createPrismaClient } from './prisma.client';
import { seedTenant } from './seed';

const seedSchema = databaseSchema.extend({
  DEMO_API_KEY: z.string().min(16).default('sk-demo-local-0000000000000000'),
  DEMO_FREE_API_KEY: z.string().min(16).default('sk-demo-free-00000000000000000'),
  /** The evaluator's own tenants: the LLM judge (Kafka inbound, the key is unused) and shadow replay. */
  EVAL_JUDGE_API_KEY: z.string().min(16).default('sk-platform-evaluator-local-000'),
  EVAL_SHADOW_API_KEY: z.string().min(16).default('sk-platform-shadow-local-00000'),
});

/** `node dist/libs/db/src/seed.main.js`: the demo tenants `make up` uses. */
async function main(): Promise<void> {
  const config = loadConfig(seedSchema);
  const prisma = createPrismaClient(config.DATABASE_URL);
  try {
    await seedTenant(prisma, { tenantId: 'demo', tier: 'paid', apiKey: config.DEMO_API_KEY, name: 'Demo (paid)' });
    await seedTenant(prisma, { tenantId: 'demo-free', tier: 'free', apiKey: config.DEMO_FREE_API_KEY, name: 'Demo (free)' });
    await seedTenant(prisma, { tenantId: 'platform-evaluator', tier: 'paid', apiKey: config.EVAL_JUDGE_API_KEY, name: 'Platform: LLM judge' });
    await seedTenant(prisma, { tenantId: 'platform-shadow', tier: 'paid', apiKey: config.EVAL_SHADOW_API_KEY, name: 'Platform: shadow replay' });
    console.log('[seed] tenants demo (paid), demo-free (free), platform-evaluator and platform-shadow are ready');
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error('[seed] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
