import { databaseSchema, loadConfig } from '@llm/config';
import { migrate } from './migrate';

/** `node dist/libs/db/src/migrate.main.js`: applies pending migrations to DATABASE_URL. */
async function main(): Promise<void> {
  const { DATABASE_URL } = loadConfig(databaseSchema);
  const { applied, alreadyApplied } = await migrate(DATABASE_URL);
  console.log(`[migrate] ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${alreadyApplied.length} already applied`);
}

main().catch((err: unknown) => {
  console.error('[migrate] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
