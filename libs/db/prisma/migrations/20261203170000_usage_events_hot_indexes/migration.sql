-- The ingestion hot path: every usage row updated two indexes on usage_events, one of them keyed by a random
-- request UUID (the most expensive kind to keep once it outgrows memory). Deduplication never used it: the
-- dedup key lives in usage_keys (ON CONFLICT DO NOTHING there decides what is inserted), which also holds each
-- call's occurred_at. One request's calls are found through usage_keys and then (tenant_id, occurred_at) here.
DROP INDEX "usage_events_tenant_request_call_at_key";
