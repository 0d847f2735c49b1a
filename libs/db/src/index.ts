export { hashApiKey } from './api-keys';
export { DbModule, PRISMA } from './db.module';
export { findMigrationsDir, migrate, type MigrationResult } from './migrate';
export { createPrismaClient, PrismaClient, type Prisma } from './prisma.client';
export { seedTenant, type TenantSeed } from './seed';
