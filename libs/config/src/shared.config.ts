import { z } from 'zod';
import { bool, csv, nonNegativeInt, port, positiveInt } from './fields';

/** Settings every service shares. Each app's config composes the blocks it needs with `.extend`. */
export const serviceSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(15_000),
});

/** Defaults of the Kafka timing settings, shared with libs/kafka for callers that build a transport directly. */
export const KAFKA_TIMING_DEFAULTS = { deliveryTimeoutMs: 30_000, sessionTimeoutMs: 10_000 } as const;

/** Development default of KAFKA_RETRY_SECRET; production deployments set their own. */
export const DEV_KAFKA_RETRY_SECRET = 'dev-kafka-retry-secret-change-me';

export const kafkaSchema = z.object({
  KAFKA_BROKERS: csv.default(['127.0.0.1:19092']),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /** Prepended to every topic name: separates environments sharing a cluster, and test runs from each other. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'lowercase letters, digits, . _ -')
    .default(''),
  /**
   * Messages processed at once per service instance (LLM calls take seconds; one at a time is too slow), and per
   * partition. One tenant's requests share a partition per stage, so the per-partition bound is how far one
   * tenant's burst can go at once: at 16, 64 concurrent requests of one tenant queued behind it (32 req/s on a
   * miss; 129 req/s at 64, docs/performance.md). Half the total, as before, so one partition never takes it all.
   */
  KAFKA_MAX_IN_FLIGHT: positiveInt(128),
  KAFKA_MAX_IN_FLIGHT_PER_PARTITION: positiveInt(64),
  /** Delivery attempts before a message whose handler keeps failing goes to the DLQ. */
  KAFKA_MAX_ATTEMPTS: positiveInt(5),
  KAFKA_RETRY_BACKOFF_MS: nonNegativeInt(500),
  KAFKA_PRIORITY_PAUSE: bool(true),
  /**
   * Slots batch messages may hold per service instance while realtime work passed through it within
   * KAFKA_REALTIME_WINDOW_MS (0: no limit). Batch keeps every slot while realtime is quiet.
   */
  KAFKA_BATCH_IN_FLIGHT_WHILE_REALTIME: nonNegativeInt(2),
  KAFKA_REALTIME_WINDOW_MS: positiveInt(1_000),
  /** Topic durability (setup-topics): 1/1 for the single dev broker; 3/2 in production (infra/k8s/README.md). */
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  KAFKA_MIN_INSYNC_REPLICAS: positiveInt(1),
  /** Bound on every publish at the caller; a timeout is PUBLISH_TIMEOUT (outcome unknown: the broker may have kept it). */
  KAFKA_DELIVERY_TIMEOUT_MS: positiveInt(KAFKA_TIMING_DEFAULTS.deliveryTimeoutMs),
  /**
   * How long the group waits for a member that stopped heartbeating (killed, partitioned) before its partitions
   * move: the recovery time after a crash. Safe to keep short because the transport heartbeats while it dispatches.
   */
  KAFKA_SESSION_TIMEOUT_MS: positiveInt(KAFKA_TIMING_DEFAULTS.sessionTimeoutMs),
  /**
   * HMAC key over the retry headers the transport writes (x-attempt, x-retry-at); unsigned ones from upstream
   * producers are ignored. Shared by all instances of all services; set a random value in production.
   */
  KAFKA_RETRY_SECRET: z.string().min(16).default(DEV_KAFKA_RETRY_SECRET),
  /** SASL on the broker connection (docs/inbound-signing.md: SCRAM principals and ACLs); unset = none. */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the broker (SASL_SSL listeners). */
  KAFKA_SSL: bool(false),
});

export const redisSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:16379'),
});

export const databaseSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .default('postgresql://llm:llm@127.0.0.1:15432/llm'),
});

/** Works out of the box in development; refused in production so a deployment cannot run with it. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token-change-me';

/** Bearer token of the admin read APIs (cost-ledger, evaluator). Compose with `.extend(adminSchema.shape)`. */
export const adminSchema = z.object({ ADMIN_TOKEN: z.string().min(16).default(DEV_ADMIN_TOKEN) });

/** Refinement for a full service schema: the development admin token is refused in production. */
export function refuseDevAdminTokenInProduction(c: { NODE_ENV: string; ADMIN_TOKEN: string }): boolean {
  return c.NODE_ENV !== 'production' || c.ADMIN_TOKEN !== DEV_ADMIN_TOKEN;
}

export const httpPort = (fallback: number) => z.object({ HTTP_PORT: port(fallback) });

export type ServiceConfig = z.infer<typeof serviceSchema>;
export type KafkaConfig = z.infer<typeof kafkaSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;
export type DatabaseConfig = z.infer<typeof databaseSchema>;

/**
 * Embedding and vector-store settings (libs/embeddings, libs/vector-store). `local` runs the installed
 * sentence-embedding model in-process; `openai` calls any OpenAI-compatible /v1/embeddings endpoint.
 * Without QDRANT_URL the embedded index (persisted under VECTOR_INDEX_DIR) is used.
 */
export const embeddingsSchema = z.object({
  EMBEDDINGS_PROVIDER: z.enum(['local', 'openai']).default('local'),
  /** Folder of the local model; default ~/.cache/llm-platform/<model>-<version> (install-embedding-model.sh). */
  EMBEDDINGS_MODEL_DIR: z.string().min(1).optional(),
  EMBEDDINGS_BASE_URL: z.url().optional(),
  EMBEDDINGS_API_KEY: z.string().default('none'),
  EMBEDDINGS_MODEL: z.string().min(1).optional(),
  EMBEDDINGS_DIMENSIONS: positiveInt(384),
});

export const vectorStoreSchema = z.object({
  QDRANT_URL: z.url().optional(),
  QDRANT_API_KEY: z.string().min(1).optional(),
  VECTOR_INDEX_DIR: z.string().min(1).default('.local/vector-index'),
});

export type EmbeddingsConfig = z.infer<typeof embeddingsSchema>;
export type VectorStoreConfig = z.infer<typeof vectorStoreSchema>;
