-- Per-API-key admission overrides (key-scope rate limits, key caps, a narrower model access; the schema is
-- apiKeyOverridesSchema in libs/contracts). Set through the cost ledger's admin API; ingress reads every live key
-- that has one and lays it over the key's plan. Null: the plan alone.
ALTER TABLE "api_keys" ADD COLUMN "admission_overrides" JSONB;

-- Users and features gain an update time for the admin API's CRUD.
ALTER TABLE "users" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now();
ALTER TABLE "features" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now();
