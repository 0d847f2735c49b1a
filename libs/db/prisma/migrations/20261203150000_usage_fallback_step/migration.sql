-- Which step of the route plan's fallback order served each call (usage.v1 `fallback_step`: primary,
-- other-deployment, escalation, cheaper-model, fallback-model, cached-answer, degraded). NULL on events whose
-- producer did not say; '' stands for that in the rollup keys, so usage can be grouped and filtered by step
-- from the rollups. Adding a nullable column without a default is a catalog change only (no table rewrite).
ALTER TABLE "usage_events" ADD COLUMN "fallback_step" TEXT;

ALTER TABLE "usage_hourly" ADD COLUMN "fallback_step" TEXT NOT NULL DEFAULT '';
ALTER TABLE "usage_hourly" DROP CONSTRAINT "usage_hourly_pkey",
    ADD CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("tenant_id", "hour", "feature", "model", "provider", "fallback_step");

ALTER TABLE "usage_daily" ADD COLUMN "fallback_step" TEXT NOT NULL DEFAULT '';
ALTER TABLE "usage_daily" DROP CONSTRAINT "usage_daily_pkey",
    ADD CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("tenant_id", "day", "feature", "model", "provider", "fallback_step");
