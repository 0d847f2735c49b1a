import { BAND_COUNT, bandOfPartition, dlqTopic, Headers, isTopicName, TOPIC_SPECS, type TopicName } from '@llm/contracts';
import { errorCodeOf, isRetryable } from '@llm/errors';
import { extractTraceContext, withSpan, type Logger } from '@llm/telemetry';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { BandStripedAssigner } from '../assignor/band-striped.assignor';
import { createKafkaClient } from '../client';
import { PartitionState } from '../consumer/partition-state';
import { PrioritySemaphore } from '../consumer/priority-semaphore';
import { bandsToPause } from '../consumer/priority-gate';
import type { KafkaConsumerOptions } from '../kafka.options';
import { KafkaEventPublisher, summarizeIssues } from '../producer/kafka-event.publisher';
import { ConsumerMetrics } from './consumer.metrics';
import { KafkaMessageContext } from './kafka-message.context';

/** How long a batch waits for a free slot before handing the fetch loop back (the rest is re-fetched). */
const SLOT_WAIT_MS = 200;
const COMMIT_DEBOUNCE_MS = 50;
const PRIORITY_CHECK_MS = 100;
/** A retried message waits at most this long in a slot for its x-retry-at; longer delays re-queue it. */
const MAX_INLINE_RETRY_DELAY_MS = 30_000;

type Outcome = 'ok' | 'retried' | 'dlq';

/**
 * NestJS transport over kafkajs. Apps declare `@OnTopic(topic)` handlers; this class validates each message
 * against its topic's schema, runs up to `maxInFlight` handlers at once with realtime bands served first,
 * commits each partition only up to its lowest unfinished message, retries with `x-attempt`, sends what
 * cannot succeed to `<topic>.dlq` with the reason, and on shutdown finishes or hands back in-flight work.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly publisher: KafkaEventPublisher;
  private consumer?: Consumer;
  private readonly slots: PrioritySemaphore;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly metrics?: ConsumerMetrics;
  private commitTimer?: NodeJS.Timeout;
  private priorityTimer?: NodeJS.Timeout;
  private commitChain: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly prefix: string;

  constructor(private readonly options: KafkaConsumerOptions) {
    super();
    this.kafka = createKafkaClient(options);
    this.log = options.logger.child({ component: 'kafka-transport', group: options.groupId });
    this.prefix = options.topicPrefix ?? '';
    this.publisher = new KafkaEventPublisher(this.kafka, this.log, this.prefix);
    this.slots = new PrioritySemaphore(options.maxInFlight, BAND_COUNT);
    this.metrics = options.metrics ? new ConsumerMetrics(options.metrics, options.groupId) : undefined;
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    await this.stop();
  }

  on(): never {
    throw new Error('KafkaTransport does not emit transport events; use metrics and logs');
  }

  unwrap<T>(): T {
    return this.kafka as T;
  }

  /** Topics with a handler in this app. */
  subscribedTopics(): TopicName[] {
    const patterns = [...this.getHandlers().keys()];
    const unknown = patterns.filter((p) => !isTopicName(p));
    if (unknown.length > 0) throw new Error(`handlers for unknown topics: ${unknown.join(', ')} (see @llm/contracts Topics)`);
    return patterns as TopicName[];
  }

  private async start(): Promise<void> {
    const topics = this.subscribedTopics();
    await this.publisher.connect();
    if (topics.length === 0) return;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      partitionAssigners: [BandStripedAssigner],
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.log[payload.restart ? 'warn' : 'error']({ err: payload.error, restart: payload.restart }, payload.restart ? 'consumer restarting after a retriable error' : 'consumer crashed'),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => `${this.prefix}${t}`), fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every assigned partition gets its own worker, so a batch waiting for a slot never queues a realtime batch.
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.onBatch(payload),
    });
    if (this.options.priorityPause) this.priorityTimer = setInterval(() => this.applyPriorityPause(), PRIORITY_CHECK_MS);
    this.log.info({ topics }, 'consuming');
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const keep = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const id = `${topic}:${partition}`;
        keep.add(id);
        if (!this.partitions.has(id)) this.partitions.set(id, this.newState(topic, partition));
      }
    }
    // Work still running for revoked partitions finishes but is not committed here; its new owner redelivers it.
    for (const id of [...this.partitions.keys()]) if (!keep.has(id)) this.partitions.delete(id);
    this.log.info({ assignment }, 'partitions assigned');
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const id = `${topic}:${partition}`;
    let state = this.partitions.get(id);
    if (!state) {
      state = this.newState(topic, partition);
      this.partitions.set(id, state);
    }
    return state;
  }

  private newState(topic: string, partition: number): PartitionState {
    const logical = topic.slice(this.prefix.length);
    if (!topic.startsWith(this.prefix) || !isTopicName(logical)) throw new Error(`assigned a topic this service does not know: ${topic}`);
    return new PartitionState(topic, logical, partition, TOPIC_SPECS[logical].banded ? bandOfPartition(partition) : 0);
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const state = this.stateOf(batch.topic, batch.partition);
    state.highWatermark = Number(batch.highWatermark);
    if (batch.messages.length > 0 && state.position < 0) state.position = Number(batch.messages[0]!.offset);
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < state.position) {
        // Already handed to a handler before a rebalance reset the fetch position; it is still in flight here.
        resolveOffset(message.offset);
        continue;
      }
      if (this.stopping || !isRunning() || isStale() || state.pausedForPriority) break;
      if (!(await state.whenBelow(this.options.maxInFlightPerPartition, SLOT_WAIT_MS))) break;
      if (!(await this.slots.acquire(state.band, SLOT_WAIT_MS))) break;
      if (this.stopping || isStale() || this.partitions.get(`${batch.topic}:${batch.partition}`) !== state) {
        this.slots.release();
        break;
      }
      state.begin(offset);
      resolveOffset(message.offset);
      this.track(this.process(state, message).finally(() => this.finish(state, offset)));
    }
    try {
      await heartbeat();
    } catch (err) {
      // A rebalance is under way; kafkajs rejoins once this batch returns.
      this.log.debug({ err }, 'heartbeat during batch failed');
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private finish(state: PartitionState, offset: number): void {
    this.slots.release();
    state.complete(offset);
    this.scheduleCommit();
  }

  private async process(state: PartitionState, message: KafkaMessage): Promise<void> {
    const headers = decodeHeaders(message.headers);
    const attempt = Math.max(1, Number.parseInt(headers[Headers.attempt] ?? '1', 10) || 1);
    const started = performance.now();
    const outcome = await this.handle(state, message, headers, attempt);
    this.metrics?.processed(state.logical, outcome, (performance.now() - started) / 1000);
  }

  private async handle(state: PartitionState, message: KafkaMessage, headers: Record<string, string>, attempt: number): Promise<Outcome> {
    const topic = state.logical;
    const retryAt = Number(headers[Headers.retryAt] ?? 0);
    const delay = retryAt - Date.now();
    if (delay > 0) await sleep(Math.min(delay, MAX_INLINE_RETRY_DELAY_MS));

    let raw: unknown;
    try {
      raw = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      return this.deadLetter(state, message, headers, 'INVALID_JSON', 'message value is not valid JSON');
    }
    const parsed = TOPIC_SPECS[topic].schema.safeParse(raw);
    if (!parsed.success) {
      return this.deadLetter(state, message, headers, 'SCHEMA_VIOLATION', summarizeIssues(parsed.error.issues));
    }
    const payload: unknown = parsed.data;
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return this.deadLetter(state, message, headers, 'NO_HANDLER', `no handler for ${topic}`, payload);

    const context = new KafkaMessageContext({
      topic,
      partition: state.partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      headers,
      attempt,
      timestamp: message.timestamp,
    });
    try {
      await withSpan(
        `kafka.consume ${topic}`,
        { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.partition': state.partition, 'llm.attempt': attempt },
        async () => lastValueFrom(this.transformToObservable(await handler(parsed.data, context)), { defaultValue: undefined }),
        extractTraceContext(headers),
      );
      return 'ok';
    } catch (err) {
      const code = errorCodeOf(err);
      if (isRetryable(err) && attempt < this.options.maxAttempts) {
        this.log.warn({ err, topic, partition: state.partition, offset: message.offset, attempt, code }, 'handler failed; retrying');
        await this.republish(state, message, headers, attempt + 1);
        return 'retried';
      }
      this.log.error({ err, topic, partition: state.partition, offset: message.offset, attempt, code }, 'handler failed; dead-lettering');
      const reason = isRetryable(err) ? `gave up after ${attempt} attempts: ${messageOf(err)}` : messageOf(err);
      return this.deadLetter(state, message, headers, code, reason, payload);
    }
  }

  /** Back onto the same partition with the next attempt number and a jittered exponential delay. */
  private async republish(state: PartitionState, message: KafkaMessage, headers: Record<string, string>, attempt: number): Promise<void> {
    const base = this.options.retryBackoffMs * 2 ** (attempt - 2);
    const delay = Math.round(base / 2 + Math.random() * base);
    await this.forward({
      topic: state.topic,
      partition: state.partition,
      key: message.key?.toString('utf8') ?? null,
      value: message.value,
      headers: { ...headers, [Headers.attempt]: String(attempt), [Headers.retryAt]: String(Date.now() + delay) },
    });
  }

  private async deadLetter(state: PartitionState, message: KafkaMessage, headers: Record<string, string>, code: string, reason: string, payload?: unknown): Promise<Outcome> {
    this.log.warn({ topic: state.topic, partition: state.partition, offset: message.offset, code }, 'message sent to DLQ');
    await this.forward({
      topic: dlqTopic(state.topic),
      partition: 0,
      key: message.key?.toString('utf8') ?? null,
      value: message.value,
      headers: {
        ...headers,
        [Headers.dlqErrorCode]: code,
        [Headers.dlqReason]: reason.slice(0, 1000),
        [Headers.dlqOriginalTopic]: state.topic,
        [Headers.dlqOriginalPartition]: String(state.partition),
        [Headers.dlqOriginalOffset]: message.offset,
        [Headers.dlqFailedAt]: new Date().toISOString(),
      },
    });
    if (this.options.onDeadLetter) {
      // Best effort: the DLQ copy is the durable record; this only spares a waiting caller its timeout.
      await this.options.onDeadLetter({ topic: state.logical, payload, code, reason }).catch((err: unknown) => this.log.warn({ err, code }, 'dead-letter hook failed'));
    }
    return 'dlq';
  }

  /**
   * A retry or DLQ copy must land before the original's offset may be committed, so this keeps trying while
   * the service runs. On shutdown it gives up: the original stays uncommitted and is redelivered.
   */
  private async forward(message: Parameters<KafkaEventPublisher['send']>[0]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publisher.send(message);
        return;
      } catch (err) {
        if (this.stopping) throw err;
        this.log.error({ err, topic: message.topic, attempt }, 'forwarding failed; will retry');
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  }

  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      this.commitChain = this.commitChain.then(() => this.commit());
    }, COMMIT_DEBOUNCE_MS);
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const pending = [...this.partitions.values()]
      .map((state) => ({ state, offset: state.tracker.pendingCommit() }))
      .filter((p): p is { state: PartitionState; offset: number } => p.offset !== undefined);
    if (pending.length === 0) return;
    try {
      await consumer.commitOffsets(pending.map(({ state, offset }) => ({ topic: state.topic, partition: state.partition, offset: String(offset) })));
      for (const { state, offset } of pending) {
        state.tracker.markCommitted(offset);
        state.committed = offset;
        this.metrics?.lag(state);
      }
    } catch (err) {
      // Typically a rebalance: the next owner resumes from the last successful commit (at-least-once).
      this.log.warn({ err }, 'offset commit failed');
    }
  }

  private applyPriorityPause(): void {
    const consumer = this.consumer;
    if (!consumer || this.stopping) return;
    const byTopic = new Map<string, PartitionState[]>();
    for (const state of this.partitions.values()) {
      if (!TOPIC_SPECS[state.logical].banded) continue;
      byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state]);
    }
    for (const [topic, states] of byTopic) {
      const backlog = Array.from({ length: BAND_COUNT }, (_, band) => this.slots.waiting(band));
      for (const s of states) backlog[s.band]! += s.backlog;
      const pause = bandsToPause(backlog);
      const toPause = states.filter((s) => pause.has(s.band) && !s.pausedForPriority);
      const toResume = states.filter((s) => !pause.has(s.band) && s.pausedForPriority);
      if (toPause.length > 0) {
        toPause.forEach((s) => (s.pausedForPriority = true));
        consumer.pause([{ topic, partitions: toPause.map((s) => s.partition) }]);
        this.metrics?.priorityPauses.inc({ topic }, toPause.length);
      }
      if (toResume.length > 0) {
        toResume.forEach((s) => (s.pausedForPriority = false));
        consumer.resume([{ topic, partitions: toResume.map((s) => s.partition) }]);
      }
    }
  }

  /**
   * Stops dispatching, keeps the group membership (so commits still count) while in-flight handlers finish,
   * commits, then leaves the group. What has not finished by the deadline stays uncommitted: handed back.
   */
  private async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.priorityTimer);
    this.slots.abortWaiters();
    const started = Date.now();
    const consumer = this.consumer;
    if (consumer) {
      const topics = [...new Set([...this.partitions.values()].map((s) => s.topic))];
      if (topics.length > 0) consumer.pause(topics.map((topic) => ({ topic })));
    }
    const drained = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      sleep(this.options.shutdownTimeoutMs).then(() => false),
    ]);
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.commitChain;
    await this.commit();
    this.log.info({ drained, handedBack: this.inFlight.size, ms: Date.now() - started }, 'consumer stopped');
    await consumer?.disconnect().catch((err: unknown) => this.log.warn({ err }, 'consumer disconnect failed'));
    await this.publisher.disconnect().catch((err: unknown) => this.log.warn({ err }, 'producer disconnect failed'));
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
