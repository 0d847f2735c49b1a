import { summarizeIssues } from '@llm/config';
import { envelopeOf, Headers, priority as prioritySchema, TOPIC_SPECS, type Priority, type TopicInput, type TopicName } from '@llm/contracts';
import { injectTraceHeaders, type Logger } from '@llm/telemetry';
import { CompressionTypes, Partitioners, type Kafka, type Producer, type IHeaders } from 'kafkajs';
import { KafkaError } from '../kafka.errors';
import { EventPublisher, type PublishOptions } from './event-publisher';
import { partitionFor } from './partitioner';

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
 */
export class KafkaEventPublisher extends EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly logger: Logger,
    private readonly topicPrefix = '',
  ) {
    super();
    // Partitions are always chosen by partitionFor(); the partitioner only matters for key-less raw sends.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
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
    headers[Headers.attempt] = String(options.attempt ?? 1);
    await this.send({
      topic: `${this.topicPrefix}${topic}`,
      key,
      partition: key === null ? undefined : partitionFor(spec, key, priority),
      value: JSON.stringify(parsed.data),
      headers,
    });
  }

  /** Sends bytes as they are: retries and DLQ forward the original message untouched. */
  async send(message: RawMessage): Promise<void> {
    if (!this.connected) throw new KafkaError('NOT_CONNECTED', 'producer is not connected', true);
    try {
      await this.producer.send({
        topic: message.topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: [{ key: message.key, value: message.value, partition: message.partition, headers: message.headers as IHeaders }],
      });
    } catch (err) {
      this.logger.error({ err, topic: message.topic }, 'publish failed');
      throw new KafkaError('PUBLISH_FAILED', `publish to ${message.topic} failed`, true, { cause: err });
    }
  }
}

/** The shared validation-message formatter (libs/config), re-exported for the transport and its users. */
export { summarizeIssues };
