-- The ledger records each provider call (or cache hit) once per tenant: (tenant_id, request_id, call_id).
-- The old key (request_id, attempt) spanned tenants and counted Kafka deliveries, not calls; attempt stays as
-- information only.

-- DropIndex
DROP INDEX "usage_events_request_id_attempt_key";

-- AlterTable
ALTER TABLE "usage_events"
    ADD COLUMN "call_id" TEXT,
    ADD COLUMN "tokens_cached_in" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "tokens_estimated" BOOLEAN NOT NULL DEFAULT false;

-- Rows written before calls had ids: one row per former (request_id, attempt), so that pair stays unique.
UPDATE "usage_events" SET "call_id" = 'attempt-' || "attempt"::text WHERE "call_id" IS NULL;

ALTER TABLE "usage_events" ALTER COLUMN "call_id" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "usage_events_tenant_id_request_id_call_id_key" ON "usage_events"("tenant_id", "request_id", "call_id");
