// Prisma CLI configuration, used for `prisma generate` only: migrations are applied by libs/db/src/migrate.ts
// (docs/adr/0003-prisma-migrations.md), so the CLI never needs a database URL here.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
