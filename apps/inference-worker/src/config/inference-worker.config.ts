import { httpPort, kafkaSchema, loadConfig, nonNegativeInt, positiveInt, redisSchema, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const inferenceWorkerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8084).shape)
  .extend({
    MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
    /** The cascade's answer-check weights (written by `npm run bench:routing -- --write-answer-check`); read at boot. */
    ANSWER_CHECK_PATH: z.string().min(1).default('infra/routing/answer-check.json'),
    /** Per-request lease: renewed while a call runs; a crashed holder's lease lapses after this. */
    INFERENCE_LEASE_MS: positiveInt(15_000),
    /**
     * How long a worker that finds the request leased by another waits for that holder's outcome before it
     * hands the message back (a redelivery that keeps finding it busy would otherwise be dead-lettered early).
     */
    INFERENCE_LEASE_WAIT_MS: nonNegativeInt(120_000),
    /** How long a request's call outcomes stay in the outbox for a redelivery to republish. */
    INFERENCE_OUTBOX_TTL_S: positiveInt(86_400),
    /** Call limits for models whose catalog entry sets none. */
    INFERENCE_FIRST_TOKEN_TIMEOUT_MS: positiveInt(20_000),
    INFERENCE_IDLE_TIMEOUT_MS: positiveInt(15_000),
    /** Extra rounds over the plan's targets after every target failed transiently (429, 5xx, timeout, connection). */
    INFERENCE_MAX_RETRIES: z.coerce.number().int().min(0).max(3).default(2),
    /** Full-jitter exponential backoff between rounds: a random wait in [0, min(cap, base * 2^round)]. */
    INFERENCE_RETRY_BASE_MS: positiveInt(250),
    INFERENCE_RETRY_CAP_MS: positiveInt(5_000),
    /** A Retry-After longer than this ends the retries (the caller gets it as retry_after_s instead). */
    INFERENCE_RETRY_AFTER_MAX_MS: positiveInt(10_000),
    /** Retry budget per worker: retries may add at most this fraction of first calls (over 10 s), plus a floor. */
    INFERENCE_RETRY_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.2),
    INFERENCE_RETRY_BUDGET_MIN_PER_S: z.coerce.number().min(0).default(1),
    /** Circuit breaker per deployment: opens above this failure ratio over the window, given a minimum volume. */
    INFERENCE_BREAKER_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.5),
    INFERENCE_BREAKER_WINDOW_MS: positiveInt(60_000),
    INFERENCE_BREAKER_MIN_CALLS: positiveInt(20),
    /** How long an open breaker refuses calls before it lets one half-open probe through. */
    INFERENCE_BREAKER_HALF_OPEN_MS: positiveInt(10_000),
    /** How long a call waits for a deployment's shared limits (concurrency, RPM, TPM) before moving on. */
    INFERENCE_LIMIT_WAIT_MS: nonNegativeInt(1_000),
    /** Batch-band requests wait longer and use at most this share of a deployment's concurrency. */
    INFERENCE_BATCH_LIMIT_WAIT_MS: nonNegativeInt(30_000),
    INFERENCE_BATCH_CONCURRENCY_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
    /** A 429 whose Retry-After is at least this (s) keeps every worker off the deployment that long. */
    INFERENCE_COOLDOWN_MIN_RETRY_AFTER_S: positiveInt(5),
    /** Output tokens assumed for a call without max_tokens when TPM is reserved (corrected after the call). */
    INFERENCE_TPM_DEFAULT_OUTPUT_TOKENS: positiveInt(256),
    /** json_object / json_schema answers that fail validation are asked again this many times, with the error. */
    INFERENCE_JSON_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
    /** Provider batch APIs (catalog `batch_api`): batch-band requests are collected this long into one batch... */
    INFERENCE_BATCH_COLLECT_MS: positiveInt(1_000),
    /** ...of at most this many requests. */
    INFERENCE_BATCH_MAX_LINES: positiveInt(1_000),
    /** How often open provider batches are polled. */
    INFERENCE_BATCH_POLL_MS: positiveInt(5_000),
    /** A submission the provider never acknowledged (worker killed mid-submit) is submitted again after this. */
    INFERENCE_BATCH_RECOVER_AFTER_MS: positiveInt(60_000),
  })
  // Provider endpoints and keys are named by the catalog (base_url_setting, api_key_setting), so the set of
  // settings is open-ended: keep every other variable as a string for the provider registry to look up.
  .catchall(z.string());
export type InferenceWorkerConfig = z.infer<typeof inferenceWorkerConfigSchema>;

/** DI token of the parsed configuration: one typed object instead of one symbol per setting. */
export const INFERENCE_WORKER_CONFIG = Symbol('INFERENCE_WORKER_CONFIG');

export const loadInferenceWorkerConfig = (): InferenceWorkerConfig => loadConfig(inferenceWorkerConfigSchema);
