import { bool, csv, httpPort, loadConfig, nonNegativeInt, positiveInt, serviceSchema } from '@llm/config';
import { z } from 'zod';

const rate = z.coerce.number().min(0).max(1).default(0);

export const modelSimConfigSchema = serviceSchema.extend(httpPort(8090).shape).extend({
  /** Time to first token once a sequence is scheduled (queue wait comes on top). */
  SIM_TTFT_MS: nonNegativeInt(30),
  /** Inter-token latency. */
  SIM_ITL_MS: nonNegativeInt(5),
  /** Sequences decoded at once, like vLLM's max_num_seqs; the rest wait in FIFO order. */
  SIM_MAX_BATCH: positiveInt(32),
  /** Waiting requests beyond this are refused with 429, like an overloaded server. */
  SIM_MAX_QUEUE: nonNegativeInt(1_000),
  SIM_MODELS: csv.default(['sim-small', 'sim-medium', 'sim-large']),
  SIM_DEFAULT_MAX_TOKENS: positiveInt(64),
  /** Models that ignore the ECHO directive and answer filler text: a deliberately wrong model for evaluation tests. */
  SIM_IGNORE_ECHO_MODELS: csv.default([]),
  /** Prompt tokens reported (and billed) as served from the prefix cache on every call; x-sim-cached-tokens overrides. */
  SIM_CACHED_PROMPT_TOKENS: nonNegativeInt(0),
  SIM_FAULT_429_RATE: rate,
  SIM_FAULT_500_RATE: rate,
  SIM_FAULT_TIMEOUT_RATE: rate,
  SIM_FAULT_STALL_RATE: rate,
  SIM_FAULT_429_NO_RETRY_AFTER_RATE: rate,
  SIM_FAULT_HEADERS_STALL_RATE: rate,
  SIM_FAULT_NO_USAGE_RATE: rate,
  SIM_FAULT_STREAM_CUT_RATE: rate,
  SIM_FAULT_STREAM_ERROR_RATE: rate,
  SIM_FAULT_INVALID_RATE: rate,
  /** Of requests that asked for JSON: answered with broken JSON / with JSON of the wrong shape. */
  SIM_FAULT_INVALID_JSON_RATE: rate,
  SIM_FAULT_SCHEMA_MISMATCH_RATE: rate,
  /** Context window: a prompt plus max_tokens beyond it is refused like vLLM does. */
  SIM_MAX_MODEL_LEN: positiveInt(32_768),
  SIM_SEED: z.coerce.number().int().default(42),
  /** When set, every dialect checks that its key header carries exactly this; otherwise any non-empty key passes where the host requires one. */
  SIM_API_KEY: z.string().min(1).optional(),
  /** Like vLLM's `--scheduling-policy priority`: queued requests are served lowest `priority` first; without it a non-zero priority is refused. */
  SIM_PRIORITY_SCHEDULING: bool(false),
  /** Batch API (`/openai/v1/batches`): lines of one batch in flight at once. */
  SIM_BATCH_CONCURRENCY: positiveInt(8),
  /** Batch API: how long a batch waits in the provider's queue before it starts (tests act while it is pending). */
  SIM_BATCH_START_DELAY_MS: nonNegativeInt(0),
  /** Batch API: how long `POST /batches` takes to answer; the batch is created at the end even if the client left (a slow provider under a crash). */
  SIM_BATCH_CREATE_DELAY_MS: nonNegativeInt(0),
});
export type ModelSimConfig = z.infer<typeof modelSimConfigSchema>;

export const loadModelSimConfig = (): ModelSimConfig => loadConfig(modelSimConfigSchema);
