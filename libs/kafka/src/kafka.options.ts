import type { SASLOptions } from 'kafkajs';
import type { TopicName } from '@llm/contracts';
import type { Logger, MetricsRegistry } from '@llm/telemetry';

/** How a client authenticates to the broker (kafkaSecurity() builds it from the KAFKA_SASL_* settings). */
export interface KafkaSecurity {
  sasl?: SASLOptions;
  ssl?: boolean;
}

export interface KafkaConnectionOptions extends KafkaSecurity {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** Prepended to every topic name (environments sharing a cluster; isolated test runs). */
  topicPrefix?: string;
  /** Bound on every publish at the caller; the idempotent producer itself retries without limit. */
  deliveryTimeoutMs?: number;
}

export interface KafkaConsumerOptions extends KafkaConnectionOptions {
  /** Consumer group; one per service. */
  groupId: string;
  /** Messages processed at once by this instance, across all partitions. */
  maxInFlight: number;
  /** Bound per partition, so one partition's slow messages cannot hold the whole commit window. */
  maxInFlightPerPartition: number;
  /** Delivery attempts before a failing message goes to the DLQ (1 = no retry). */
  maxAttempts: number;
  /** Base of the exponential backoff between attempts; jittered. */
  retryBackoffMs: number;
  /** Pause lower priority bands while a higher band has a backlog. */
  priorityPause: boolean;
  /** How long shutdown waits for in-flight messages before handing them back uncommitted. */
  shutdownTimeoutMs: number;
  metrics?: MetricsRegistry;
  /** Start a new group at the earliest offset, so nothing produced before it existed is skipped. */
  fromBeginning?: boolean;
  /** Called after a message was dead-lettered (and the DLQ copy acknowledged), e.g. to tell a waiting caller. */
  onDeadLetter?: DeadLetterHandler;
  /** Key of the HMAC over retry headers (KAFKA_RETRY_SECRET); unsigned x-attempt / x-retry-at are ignored. */
  retrySecret?: string;
  /** Called once when the consumer crashed and kafkajs will not restart it: the service must go down. */
  onFatal?: (error: unknown) => void;
  /**
   * How long the consumer keeps restarting itself after kafkajs gave up on it (a broker outage) before it is
   * fatal (default 5 minutes). Within the window the service stays up, unhealthy, and resumes on its own.
   */
  restartWindowMs?: number;
  /** Called when a rebalance starts, once what had finished is committed (observability, tests). */
  onRebalancing?: (startedAt: number) => void;
  /**
   * Slots batch messages may hold while realtime work is recent in this process (0: no limit). Batch then
   * uses the capacity realtime leaves idle instead of the CPU and slots realtime needs.
   */
  batchInFlightWhileRealtime?: number;
  /** How long realtime work counts as recent for that limit. */
  realtimeWindowMs?: number;
  /** Group session timeout (default KAFKA_TIMING_DEFAULTS, 10 s); tests use the broker minimum. */
  sessionTimeoutMs?: number;
  /** Per topic: which messages the handler wants, judged before they are decoded (see MessagePrefilter). */
  prefilters?: Partial<Record<TopicName, MessagePrefilter>>;
}

/**
 * Decides from a message's key and headers alone whether its handler wants it. A message it refuses is
 * committed without being parsed, validated or handled: for a consumer that acts on a sample of a topic (the
 * evaluator), so the rest costs it no more than the fetch.
 */
export type MessagePrefilter = (message: { key: string | null; headers: Readonly<Record<string, string>> }) => boolean;

export interface DeadLetterEvent {
  topic: TopicName;
  /** The validated payload, or undefined when the message never parsed or validated. */
  payload: unknown;
  code: string;
  reason: string;
  /** Delivery attempt that gave up (1 for messages that never reached a handler). */
  attempt: number;
}

export type DeadLetterHandler = (event: DeadLetterEvent) => Promise<void>;
