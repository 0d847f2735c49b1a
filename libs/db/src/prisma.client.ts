import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../generated/prisma/client';

export { PrismaClient } from '../../../generated/prisma/client';
export type { Prisma } from '../../../generated/prisma/client';

/**
 * Prisma through the `pg` driver adapter: no query-engine binary to download, and the pool is node-postgres,
 * which the rest of the platform's tooling already knows.
 */
export function createPrismaClient(databaseUrl: string, options: { poolSize?: number } = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 10 }) });
}
