import { chatMessage, chatRequestBody } from '@llm/contracts';
import { z } from 'zod';

/** suite.yaml: what the suite is, which model or route it runs against, and how much regression it tolerates. */
export const suiteManifest = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
    /** Bumped whenever cases change meaning; a baseline of another version is refused. */
    version: z.number().int().min(1),
    description: z.string().max(2_000).default(''),
    /** Catalog model, route or alias the cases are sent to (`--model` overrides). */
    model: z.string().min(1).max(128),
    /** Largest drop of a pass rate or mean score against the baseline that is not a regression. */
    tolerance: z.number().min(0).max(1).default(0.05),
    cases: z.string().min(1).default('cases.jsonl'),
    priority: z.enum(['realtime', 'batch']).default('realtime'),
    /**
     * The cases carry `sim_answer`: what a correct model says. Against model-sim the runner appends model-sim's
     * ECHO directive with it, so the pipeline (routing, delivery, judges) is tested without a real model.
     */
    simulated: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(32).default(4),
  })
  .strict();
export type SuiteManifest = z.infer<typeof suiteManifest>;

const contextChunk = z.object({ id: z.string().min(1).max(128), text: z.string().min(1).max(20_000) });

/** One line of cases.jsonl (or one item of cases.yaml). */
export const suiteCase = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/),
    /** Either a question (with optional context, assembled like a RAG request) or full messages. */
    question: z.string().min(1).max(20_000).optional(),
    messages: z.array(chatMessage).min(1).max(64).optional(),
    context: z.array(contextChunk).max(50).default([]),
    /** The reference answer (exact, contains) or the rubric (llm_rubric). */
    expected: z.string().max(20_000).optional(),
    rubric: z.string().max(20_000).optional(),
    judge: z.enum(['exact', 'contains', 'json_schema', 'grounding', 'refusal', 'llm_rubric']),
    schema: z.record(z.string(), z.unknown()).optional(),
    response_format: chatRequestBody.shape.response_format,
    max_tokens: z.number().int().positive().max(8_192).optional(),
    sim_answer: z.string().max(20_000).optional(),
  })
  .strict()
  .refine((c) => (c.question === undefined) !== (c.messages === undefined), { message: 'give either question or messages' })
  .refine((c) => !['exact', 'contains'].includes(c.judge) || c.expected !== undefined, { message: 'exact and contains need expected' })
  .refine((c) => c.judge !== 'json_schema' || c.schema !== undefined, { message: 'json_schema needs schema' })
  .refine((c) => c.judge !== 'llm_rubric' || c.rubric !== undefined, { message: 'llm_rubric needs rubric' });
export type SuiteCase = z.infer<typeof suiteCase>;

/** baseline.json: the accepted scores of a suite version, compared against on every run. */
export const suiteBaseline = z.object({
  suite: z.string(),
  version: z.number().int(),
  model: z.string(),
  pass_rate: z.number().min(0).max(1),
  judges: z.record(z.string(), z.object({ pass_rate: z.number().min(0).max(1), mean_score: z.number().min(0).max(1) })),
  cost_per_request_micros: z.number().int().min(0),
  latency_p95_ms: z.number().int().min(0),
  recorded_at: z.string(),
  run_id: z.string(),
});
export type SuiteBaseline = z.infer<typeof suiteBaseline>;
