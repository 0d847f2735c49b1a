export { hashApiKey } from './api-keys';
export { DbModule, PRISMA } from './db.module';
export { findMigrationsDir, migrate, type MigrationResult } from './migrate';
export { createPgPool, type PgPool, type PgPoolClient } from './pg-pool';
export { createPrismaClient, PrismaClient, type Prisma } from './prisma.client';
export { seedTenant, type TenantSeed } from './seed';
