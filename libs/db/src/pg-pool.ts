import { Pool } from 'pg';

export type { Pool as PgPool, PoolClient as PgPoolClient } from 'pg';

/**
 * A plain node-postgres pool for set-based statements Prisma cannot express (batched inserts over unnest,
 * rollup upserts, partition maintenance). Sessions run in UTC so date_trunc and ::date agree with the ledger.
 */
export function createPgPool(databaseUrl: string, options: { max?: number } = {}): Pool {
  return new Pool({ connectionString: databaseUrl, max: options.max ?? 4, options: '-c timezone=UTC' });
}
