import { KAFKA_TIMING_DEFAULTS, summarizeIssues } from '@llm/config';
import { envelopeOf, Headers, priority as prioritySchema, TOPIC_SPECS, type Priority, type TopicInput, type TopicName } from '@llm/contracts';
import { injectTraceHeaders, type Logger } from '@llm/telemetry';
import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { KafkaError } from '../kafka.errors';
import { EventPublisher, type PublishOptions } from './event-publisher';
import { partitionFor } from './partitioner';
import { ProduceBatcher } from './produce-batcher';
import { toTopicMessages } from './topic-messages';

/** Below the topics' 4 MiB max.message.bytes with room for record overhead, and a bounded request size. */
const BATCH_LIMITS = { maxMessages: 1_000, maxBytes: 1024 * 1024 } as const;

export interface RawMessage {
  topic: string;
  partition?: number;
  key: string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
}

/**
 * Idempotent producer (acks=all, one in-flight request, so broker-side dedup covers client retries). Every
 * payload is validated against its topic's schema before it leaves, so a bug cannot poison a topic.
 * Publishes made while a request is in flight share the next one (ProduceBatcher).
 */
export class KafkaEventPublisher extends EventPublisher {
  private producer: Producer;
  private readonly newProducer: () => Producer;
  private readonly batcher: ProduceBatcher<RawMessage>;
  private connected = false;
  private readonly sent = { requests: 0, messages: 0 };
  /** How often the producer was replaced after losing step with the broker (diagnostics). */
  renewals = 0;

  constructor(
    kafka: Kafka,
    private readonly logger: Logger,
    private readonly topicPrefix = '',
    private readonly deliveryTimeoutMs: number = KAFKA_TIMING_DEFAULTS.deliveryTimeoutMs,
  ) {
    super();
    // Partitions are always chosen by partitionFor(); the partitioner only matters for key-less raw sends.
    // Unlimited retries keep the idempotent producer's ordering and dedup guarantees; the caller's delivery
    // timeout is what bounds a publish.
    this.newProducer = () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
      });
    this.producer = this.newProducer();
    this.batcher = new ProduceBatcher(
      (messages) => this.sendMany(messages),
      BATCH_LIMITS,
      (n) => {
        this.sent.requests++;
        this.sent.messages += n;
      },
    );
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  async publish<T extends TopicName>(topic: T, payload: TopicInput<T>, options: PublishOptions = {}): Promise<void> {
    const spec = TOPIC_SPECS[topic];
    if (!spec) throw new KafkaError('UNKNOWN_TOPIC', `unknown topic ${String(topic)}`);
    const parsed = spec.schema.safeParse(payload);
    if (!parsed.success) {
      throw new KafkaError('CONTRACT_VIOLATION', `payload for ${topic} violates its schema: ${summarizeIssues(parsed.error.issues)}`);
    }
    const env = envelopeOf(parsed.data);
    const priority = options.priority ?? (prioritySchema.safeParse(env.priority).data as Priority | undefined);
    const key = (spec.keyBy === 'request' ? env.requestId : env.tenantId) ?? env.tenantId ?? env.requestId ?? null;
    const headers: Record<string, string> = { ...injectTraceHeaders(), ...options.headers };
    if (env.requestId) headers[Headers.requestId] = env.requestId;
    if (env.tenantId) headers[Headers.tenantId] = env.tenantId;
    if (priority) headers[Headers.priority] = priority;
    await this.send({
      topic: `${this.topicPrefix}${topic}`,
      key,
      partition: key === null ? undefined : partitionFor(spec, key, priority),
      value: JSON.stringify(parsed.data),
      headers,
    });
  }

  /** Sends bytes as they are (retries and DLQ forward the original message untouched), bounded by the delivery timeout. */
  async send(message: RawMessage): Promise<void> {
    await this.bounded(this.sendUnbounded(message), message.topic, this.deliveryTimeoutMs);
  }

  /**
   * The send itself, with no bound: the idempotent producer retries until the broker answers. Callers that
   * retry one message (the transport's forwarder) wait on this same promise again instead of sending a copy.
   */
  sendUnbounded(message: RawMessage): Promise<void> {
    if (!this.connected) return Promise.reject(new KafkaError('NOT_CONNECTED', 'producer is not connected', true));
    return this.batcher.send(message, byteLength(message)).catch((err: unknown) => {
      throw new KafkaError('PUBLISH_FAILED', `publish to ${message.topic} failed`, true, { cause: err });
    });
  }

  private async sendMany(messages: RawMessage[]): Promise<void> {
    const topicMessages = toTopicMessages(messages);
    // No compression: docs/performance.md measured gzip's CPU against the bytes it saves on a local broker.
    const batch = { acks: -1, compression: CompressionTypes.None, topicMessages };
    try {
      try {
        await this.producer.sendBatch(batch);
      } catch (err) {
        if (!producerStateLost(err)) throw err;
        // After a broker restart kafkajs's idempotent producer can fall out of step with the broker's sequence
        // numbers, and then every later send fails the same way until the process restarts (a CI run lost
        // requests so). A new producer gets a new producer id and starts in step; the batch goes once more.
        // Its first attempt may have been stored: consumers deduplicate by request and call id (at-least-once).
        this.logger.warn({ err, messages: messages.length }, 'idempotent producer out of step with the broker; replacing it');
        await this.renewProducer();
        await this.producer.sendBatch(batch);
      }
    } catch (err) {
      this.logger.error({ err, topics: topicMessages.map((t) => t.topic), messages: messages.length }, 'publish failed');
      throw err;
    }
  }

  /** Runs inside the batcher's single flush, so no other send is using the producer meanwhile. */
  private async renewProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    await old.disconnect().catch((err: unknown) => this.logger.warn({ err }, 'disconnecting the replaced producer failed'));
    if (this.connected) await this.producer.connect();
    this.renewals++;
  }

  /**
   * Rejects with PUBLISH_TIMEOUT after `timeoutMs`. The send keeps retrying in the background and the broker
   * may still store it: callers treat a timeout as "outcome unknown" (keep an idempotency claim, let
   * consumers deduplicate by id).
   */
  async bounded(sent: Promise<void>, topic: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      if ((await Promise.race([sent, timedOut])) === 'timeout') {
        sent.catch(() => undefined);
        this.logger.error({ topic, timeoutMs }, 'publish timed out; outcome unknown');
        throw new KafkaError('PUBLISH_TIMEOUT', `publish to ${topic} not acknowledged within ${timeoutMs} ms; the broker may have kept it`, true);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Produce requests made and messages they carried (their ratio is the batching achieved). */
  get produced(): { requests: number; messages: number } {
    return { ...this.sent };
  }

  get timeoutMs(): number {
    return this.deliveryTimeoutMs;
  }
}

/** The shared validation-message formatter (libs/config), re-exported for the transport and its users. */

/** Broker answers that mean the idempotent producer's own state (id, epoch, sequence) is no longer valid. */
const LOST_STATE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

export function producerStateLost(err: unknown, depth = 0): boolean {
  if (depth > 8 || typeof err !== 'object' || err === null) return false;
  const { type, cause } = err as { type?: unknown; cause?: unknown };
  return (typeof type === 'string' && LOST_STATE.has(type)) || producerStateLost(cause, depth + 1);
}

function byteLength(m: RawMessage): number {
  let n = (m.key?.length ?? 0) + (m.value === null ? 0 : typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length);
  for (const [k, v] of Object.entries(m.headers)) n += k.length + v.length;
  return n;
}
