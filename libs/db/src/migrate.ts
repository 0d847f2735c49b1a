import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/** Arbitrary but fixed: every migrator instance takes the same advisory lock. */
const LOCK_ID = 7_311_042_201;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies Prisma-format migrations (prisma/migrations/<name>/migration.sql) in order, each in a transaction,
 * under an advisory lock so services starting together cannot race. Bookkeeping uses Prisma's own
 * `_prisma_migrations` table and checksum, so `prisma migrate deploy` on a machine with the schema engine sees
 * the same history. An applied migration whose file changed is refused, never re-run.
 */
export async function migrate(databaseUrl: string, migrationsDir = findMigrationsDir()): Promise<MigrationResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(`create table if not exists "_prisma_migrations" (
      "id" varchar(36) primary key not null,
      "checksum" varchar(64) not null,
      "finished_at" timestamptz,
      "migration_name" varchar(255) not null,
      "logs" text,
      "rolled_back_at" timestamptz,
      "started_at" timestamptz not null default now(),
      "applied_steps_count" integer not null default 0
    )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'select migration_name, checksum, finished_at from "_prisma_migrations" where rolled_back_at is null',
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const name of listMigrations(migrationsDir)) {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(name);
      if (previous) {
        if (!previous.finished_at) throw new Error(`migration ${name} started earlier but never finished: repair the database first`);
        if (previous.checksum !== checksum) throw new Error(`migration ${name} was changed after it was applied (checksum mismatch); add a new migration instead`);
        result.alreadyApplied.push(name);
        continue;
      }
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) values ($1, $2, now(), $3, now(), 1)', [
          randomUUID(),
          checksum,
          name,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${name} failed: ${(err as Error).message}`);
      }
      result.applied.push(name);
    }
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}

function listMigrations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/** Works from the TypeScript sources and from the compiled dist/ tree alike. */
export function findMigrationsDir(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'libs/db/prisma/migrations');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no libs/db/prisma/migrations folder above ${from}`);
}
