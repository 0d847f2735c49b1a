-- Every request the platform accepted, keyed by its tenant and id: an id is never run twice. The body
-- fingerprint tells an idempotent replay (same body) from a reused id (another body), however long after.
-- accepted_at stays null until the broker acknowledged the request: such a row is an ambiguous acceptance
-- whose retry re-publishes the same request id.

-- CreateTable
CREATE TABLE "request_registry" (
    "tenant_id" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "upstream_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline_at" TIMESTAMPTZ(3),
    "accepted_at" TIMESTAMPTZ(3),

    CONSTRAINT "request_registry_pkey" PRIMARY KEY ("tenant_id","request_id")
);
