-- A plan's admission definition (rate limits, connection and in-flight caps, model access, prompt screening;
-- the schema is admissionPlanSchema in libs/contracts). Set through the cost ledger's admin API; ingress reads
-- every plan that has one, with the tenants assigned to it, and prefers them over its plans file.
ALTER TABLE "plans" ADD COLUMN "admission" JSONB;
