-- The evaluator's online verdicts and the sampled traffic they were given on (docs/adr/0013-evaluation.md).
-- evaluation_id is derived from (request id, judge), so a redelivered result inserts nothing new.

-- CreateTable
CREATE TABLE "evaluations" (
    "evaluation_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "judge" TEXT NOT NULL,
    "feature" TEXT,
    "model" TEXT,
    "score" DOUBLE PRECISION NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "details" TEXT,
    "latency_ms" INTEGER,
    "cost_micros" BIGINT,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "evaluations_pkey" PRIMARY KEY ("evaluation_id")
);

-- CreateIndex
CREATE INDEX "evaluations_tenant_id_evaluated_at_idx" ON "evaluations"("tenant_id", "evaluated_at");
CREATE INDEX "evaluations_judge_model_evaluated_at_idx" ON "evaluations"("judge", "model", "evaluated_at");

-- Sampled requests: the request half (body and retrieved context, from llm.inference.v1) and the result half
-- (from llm.results.v1) arrive in either order; judged_at claims the pair once both are there. Shadow replay
-- reads its past traffic from here. Bodies hold prompts: rows are kept only for sampled traffic and deleted
-- after the evaluator's retention (EVAL_SAMPLE_RETENTION_DAYS).

-- CreateTable
CREATE TABLE "evaluation_samples" (
    "tenant_id" TEXT NOT NULL,
    "request_id" UUID NOT NULL,
    "feature" TEXT,
    "body" JSONB,
    "context" JSONB,
    "rag" BOOLEAN NOT NULL DEFAULT false,
    "route" TEXT,
    "status" TEXT,
    "source" TEXT,
    "model" TEXT,
    "answer" TEXT,
    "latency_ms" INTEGER,
    "cost_micros" BIGINT,
    "sampled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "judged_at" TIMESTAMPTZ(3),

    CONSTRAINT "evaluation_samples_pkey" PRIMARY KEY ("tenant_id","request_id")
);

-- CreateIndex
CREATE INDEX "evaluation_samples_sampled_at_idx" ON "evaluation_samples"("sampled_at");
