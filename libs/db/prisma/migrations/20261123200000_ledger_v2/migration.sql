-- Cost ledger v2 (issue 11): plans, users, features, budgets, alert settings, alerts, admin tokens, audit log,
-- usage partitioned by month with a global dedup table, and hourly/daily rollups kept in the ingestion transaction.
-- Money is integer micro-dollars (BIGINT) everywhere.

-- Plans: defaults a tenant inherits (budgets it has no explicit row for).
CREATE TABLE "plans" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "tier" "tenant_tier" NOT NULL DEFAULT 'free',
    "daily_budget_micros" BIGINT,
    "monthly_budget_micros" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- A table of its own rather than a tenants column: readers of tenants (ingress) are untouched.
CREATE TABLE "tenant_plans" (
    "tenant_id" TEXT NOT NULL PRIMARY KEY REFERENCES "tenants"("id") ON DELETE CASCADE,
    "plan_id" TEXT NOT NULL REFERENCES "plans"("id") ON DELETE RESTRICT
);

-- Users of a tenant; only the hash of the caller's user id is ever joined with usage.
CREATE TABLE "users" (
    "id" UUID NOT NULL PRIMARY KEY,
    "tenant_id" TEXT NOT NULL REFERENCES "tenants"("id") ON DELETE CASCADE,
    "user_hash" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "users_tenant_id_user_hash_key" ON "users"("tenant_id", "user_hash");

CREATE TABLE "features" (
    "tenant_id" TEXT NOT NULL REFERENCES "tenants"("id") ON DELETE CASCADE,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "features_pkey" PRIMARY KEY ("tenant_id", "name")
);

-- One limit per (tenant, scope, subject, period). subject: '' for the tenant itself, the user hash, or the feature.
CREATE TABLE "budgets" (
    "id" UUID NOT NULL PRIMARY KEY,
    "tenant_id" TEXT NOT NULL REFERENCES "tenants"("id") ON DELETE CASCADE,
    "scope" TEXT NOT NULL CHECK ("scope" IN ('tenant', 'user', 'feature')),
    "subject" TEXT NOT NULL DEFAULT '',
    "period" TEXT NOT NULL CHECK ("period" IN ('day', 'month')),
    "limit_micros" BIGINT,
    "limit_tokens" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "budgets_tenant_scope_subject_period_key" ON "budgets"("tenant_id", "scope", "subject", "period");

-- The old single daily budget column becomes a tenant/day budget row.
INSERT INTO "budgets" ("id", "tenant_id", "scope", "subject", "period", "limit_micros")
SELECT gen_random_uuid(), "id", 'tenant', '', 'day', "daily_budget_micros" FROM "tenants" WHERE "daily_budget_micros" IS NOT NULL;

-- Alert thresholds per tenant; a missing row means the defaults.
CREATE TABLE "alert_settings" (
    "tenant_id" TEXT NOT NULL PRIMARY KEY REFERENCES "tenants"("id") ON DELETE CASCADE,
    "spike_factor_pct" INTEGER NOT NULL DEFAULT 200,
    "expensive_request_micros" BIGINT NOT NULL DEFAULT 500000,
    "budget_thresholds_pct" INTEGER[] NOT NULL DEFAULT '{80,100}',
    "webhook_url" TEXT,
    "webhook_secret" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- window_key deduplicates: one alert per (tenant, kind, window) however often the condition is seen.
CREATE TABLE "alerts" (
    "id" UUID NOT NULL PRIMARY KEY,
    "tenant_id" TEXT NOT NULL REFERENCES "tenants"("id") ON DELETE CASCADE,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "window_key" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "value_micros" BIGINT NOT NULL,
    "threshold_micros" BIGINT NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),
    "acked_at" TIMESTAMPTZ(3),
    "acked_by" TEXT
);
CREATE UNIQUE INDEX "alerts_tenant_kind_window_key" ON "alerts"("tenant_id", "kind", "window_key");
CREATE INDEX "alerts_tenant_raised_idx" ON "alerts"("tenant_id", "raised_at");

CREATE TABLE "admin_tokens" (
    "id" UUID NOT NULL PRIMARY KEY,
    "token_hash" TEXT NOT NULL UNIQUE,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL CHECK ("role" IN ('platform_admin', 'tenant_admin', 'read_only')),
    -- null: every tenant (platform admin, platform-wide read-only)
    "tenant_id" TEXT REFERENCES "tenants"("id") ON DELETE CASCADE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3)
);

CREATE TABLE "audit_log" (
    "id" BIGSERIAL PRIMARY KEY,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "tenant_id" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX "audit_log_tenant_at_idx" ON "audit_log"("tenant_id", "at");

-- Usage: the dedup key lives in its own (unpartitioned) table, because a unique index on a partitioned table
-- must contain the partition key and a republished event may carry another occurred_at.
CREATE TABLE "usage_keys" (
    "tenant_id" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "call_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "usage_keys_pkey" PRIMARY KEY ("tenant_id", "request_id", "call_id"),
    -- Usage of an unknown tenant fails here, before any partition is touched.
    CONSTRAINT "usage_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

ALTER TABLE "usage_events" RENAME TO "usage_events_v1";
ALTER INDEX "usage_events_pkey" RENAME TO "usage_events_v1_pkey";
ALTER INDEX "usage_events_tenant_id_occurred_at_idx" RENAME TO "usage_events_v1_tenant_id_occurred_at_idx";
ALTER INDEX "usage_events_tenant_id_request_id_call_id_key" RENAME TO "usage_events_v1_tenant_id_request_id_call_id_key";
ALTER TABLE "usage_events_v1" RENAME CONSTRAINT "usage_events_tenant_id_fkey" TO "usage_events_v1_tenant_id_fkey";

CREATE TABLE "usage_events" (
    "id" BIGINT NOT NULL DEFAULT nextval('usage_events_id_seq'),
    "request_id" UUID NOT NULL,
    "call_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "user_hash" TEXT,
    "feature" TEXT,
    "model" TEXT NOT NULL,
    "deployment" TEXT,
    "provider" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "tokens_in" INTEGER NOT NULL,
    "tokens_cached_in" INTEGER NOT NULL DEFAULT 0,
    "tokens_out" INTEGER NOT NULL,
    "tokens_estimated" BOOLEAN NOT NULL DEFAULT false,
    "cost_micros" BIGINT NOT NULL,
    "saved_micros" BIGINT NOT NULL DEFAULT 0,
    "latency_ms" INTEGER NOT NULL,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "fallback" BOOLEAN NOT NULL DEFAULT false,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
) PARTITION BY RANGE ("occurred_at");
ALTER SEQUENCE "usage_events_id_seq" OWNED BY "usage_events"."id";

CREATE UNIQUE INDEX "usage_events_tenant_request_call_at_key" ON "usage_events"("tenant_id", "request_id", "call_id", "occurred_at");
CREATE INDEX "usage_events_tenant_at_id_idx" ON "usage_events"("tenant_id", "occurred_at", "id");
-- Rows outside every monthly partition (the service creates months ahead); never the normal path.
CREATE TABLE "usage_events_default" PARTITION OF "usage_events" DEFAULT;

-- Monthly partitions for what already exists and the next months; the service keeps creating them ahead.
DO $$
DECLARE m DATE;
BEGIN
  FOR m IN SELECT generate_series(
      date_trunc('month', LEAST(COALESCE((SELECT min("occurred_at") FROM "usage_events_v1"), now()), now()) AT TIME ZONE 'UTC')::date,
      date_trunc('month', now() AT TIME ZONE 'UTC')::date + INTERVAL '2 months', INTERVAL '1 month')::date
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "usage_events" FOR VALUES FROM (%L) TO (%L)',
      'usage_events_' || to_char(m, 'YYYYMM'), m::timestamp AT TIME ZONE 'UTC', (m + INTERVAL '1 month')::timestamp AT TIME ZONE 'UTC');
  END LOOP;
END $$;

INSERT INTO "usage_events" ("id", "request_id", "call_id", "attempt", "tenant_id", "user_hash", "feature", "model", "provider", "source", "status",
    "tokens_in", "tokens_cached_in", "tokens_out", "tokens_estimated", "cost_micros", "latency_ms", "occurred_at", "recorded_at")
SELECT "id", "request_id", "call_id", "attempt", "tenant_id", "user_hash", "feature", "model", "provider", "source", "status",
    "tokens_in", "tokens_cached_in", "tokens_out", "tokens_estimated", "cost_micros", "latency_ms", "occurred_at", "recorded_at"
FROM "usage_events_v1";
INSERT INTO "usage_keys" SELECT "tenant_id", "request_id", "call_id", "occurred_at" FROM "usage_events_v1";
DROP TABLE "usage_events_v1";

-- Rollups per tenant x feature x model x provider, hourly and daily, and per tenant x user daily (kept apart so
-- the main rollups stay small). '' stands for "none" in key columns.
CREATE TABLE "usage_hourly" (
    "tenant_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "calls" BIGINT NOT NULL,
    "cache_hits" BIGINT NOT NULL,
    "fallbacks" BIGINT NOT NULL,
    "retries" BIGINT NOT NULL,
    "tokens_in" BIGINT NOT NULL,
    "tokens_cached_in" BIGINT NOT NULL,
    "tokens_out" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "saved_micros" BIGINT NOT NULL,
    "latency_ms_sum" BIGINT NOT NULL,
    CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("tenant_id", "hour", "feature", "model", "provider")
);
CREATE TABLE "usage_daily" (
    "tenant_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "calls" BIGINT NOT NULL,
    "cache_hits" BIGINT NOT NULL,
    "fallbacks" BIGINT NOT NULL,
    "retries" BIGINT NOT NULL,
    "tokens_in" BIGINT NOT NULL,
    "tokens_cached_in" BIGINT NOT NULL,
    "tokens_out" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "saved_micros" BIGINT NOT NULL,
    "latency_ms_sum" BIGINT NOT NULL,
    CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("tenant_id", "day", "feature", "model", "provider")
);
CREATE TABLE "usage_daily_users" (
    "tenant_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "user_hash" TEXT NOT NULL,
    "calls" BIGINT NOT NULL,
    "tokens_in" BIGINT NOT NULL,
    "tokens_out" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "saved_micros" BIGINT NOT NULL,
    CONSTRAINT "usage_daily_users_pkey" PRIMARY KEY ("tenant_id", "day", "user_hash")
);
-- Per tenant and day: top spenders, a tenant's daily series and per-tenant totals without scanning the others.
CREATE TABLE "usage_daily_tenants" (
    "tenant_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "calls" BIGINT NOT NULL,
    "cache_hits" BIGINT NOT NULL,
    "tokens_in" BIGINT NOT NULL,
    "tokens_out" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "saved_micros" BIGINT NOT NULL,
    CONSTRAINT "usage_daily_tenants_pkey" PRIMARY KEY ("tenant_id", "day")
);
CREATE INDEX "usage_daily_tenants_day_idx" ON "usage_daily_tenants"("day");

INSERT INTO "usage_hourly"
SELECT "tenant_id", date_trunc('hour', "occurred_at"), COALESCE("feature", ''), "model", "provider", count(*), count(*) FILTER (WHERE "source" = 'cache'),
    count(*) FILTER (WHERE "fallback"), sum("retries"), sum("tokens_in"), sum("tokens_cached_in"), sum("tokens_out"), sum("cost_micros"), sum("saved_micros"), sum("latency_ms")
FROM "usage_events" GROUP BY 1, 2, 3, 4, 5;
INSERT INTO "usage_daily"
SELECT "tenant_id", ("occurred_at" AT TIME ZONE 'UTC')::date, COALESCE("feature", ''), "model", "provider", count(*), count(*) FILTER (WHERE "source" = 'cache'),
    count(*) FILTER (WHERE "fallback"), sum("retries"), sum("tokens_in"), sum("tokens_cached_in"), sum("tokens_out"), sum("cost_micros"), sum("saved_micros"), sum("latency_ms")
FROM "usage_events" GROUP BY 1, 2, 3, 4, 5;
INSERT INTO "usage_daily_tenants"
SELECT "tenant_id", ("occurred_at" AT TIME ZONE 'UTC')::date, count(*), count(*) FILTER (WHERE "source" = 'cache'), sum("tokens_in"), sum("tokens_out"), sum("cost_micros"), sum("saved_micros")
FROM "usage_events" GROUP BY 1, 2;
INSERT INTO "usage_daily_users"
SELECT "tenant_id", ("occurred_at" AT TIME ZONE 'UTC')::date, COALESCE("user_hash", ''), count(*), sum("tokens_in"), sum("tokens_out"), sum("cost_micros"), sum("saved_micros")
FROM "usage_events" GROUP BY 1, 2, 3;
