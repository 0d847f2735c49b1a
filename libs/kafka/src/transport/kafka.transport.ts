import { DEV_KAFKA_RETRY_SECRET, KAFKA_TIMING_DEFAULTS } from '@llm/config';
import { BAND_COUNT, bandOf, bandOfPartition, Headers, isTopicName, priority, TOPIC_SPECS, type TopicName } from '@llm/contracts';
import type { Logger } from '@llm/telemetry';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { bandStripedAssigner } from '../assignor/band-striped.assignor';
import { createKafkaClient } from '../client';
import { PartitionState } from '../consumer/partition-state';
import { PrioritySemaphore } from '../consumer/priority-semaphore';
import { realtimeActivity } from '../consumer/realtime-activity';
import type { KafkaConsumerOptions } from '../kafka.options';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';
import { ConsumerMetrics } from './consumer.metrics';
import { Forwarder } from './forwarder';
import { handleBatch, handleMessage, type BatchItem, type HandleDeps } from './handle-message';
import { BATCH_EXTRAS_KEY, type BatchDeliveryOptions } from './on-topic.decorator';
import { PauseBook } from './pause-book';
import { applyPriorityPause } from './priority-pauser';
import { abortableSleep, decodeHeaders } from './message-utils';
import { brokerUnavailable } from './broker-unavailable';
import { verifiedRetry } from './retry-headers';
import { StuckCopies } from './stuck-copies';

const COMMIT_DEBOUNCE_MS = 50;
const PRIORITY_CHECK_MS = 100;
/** One batch hands out messages for at most this long, so the fetch loop (and its heartbeats) moves on. */
const MAX_DISPATCH_MS = 1_000;
/** A signed retry delay longer than this is cut short (a clock skew must not park a message for hours). */
const MAX_RETRY_DELAY_MS = 60_000;
/** How long a consumer keeps restarting itself after kafkajs gave up (broker down) before the service goes down. */
const DEFAULT_RESTART_WINDOW_MS = 5 * 60_000;
const MAX_RESTART_DELAY_MS = 15_000;

/**
 * NestJS transport over kafkajs. Apps declare `@OnTopic(topic)` handlers; this class validates each message
 * against its topic's schema, runs up to `maxInFlight` handlers at once (bands served first, tenants in turn
 * inside a band), commits each partition only up to its lowest unfinished message, retries with signed
 * `x-attempt`/`x-retry-at`, sends what cannot succeed to `<topic>.dlq`, commits what finished when a
 * rebalance starts, and on shutdown finishes or hands back in-flight work.
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
  private readonly pauses: PauseBook;
  private readonly deps: HandleDeps;
  private commitTimer?: NodeJS.Timeout;
  private priorityTimer?: NodeJS.Timeout;
  private readonly stuck: StuckCopies;
  private commitChain: Promise<void> = Promise.resolve();
  private stopping = false;
  private fatal?: unknown;
  /** Set while the consumer restarts itself after a crash kafkajs would not recover from (a broker outage). */
  private outage?: { since: number; attempts: number; timer?: NodeJS.Timeout };
  private readonly prefix: string;
  private readonly handlers = new Map<string, MessageHandler | undefined>();
  private readonly batchModes = new Map<string, BatchDeliveryOptions | undefined>();

  constructor(private readonly options: KafkaConsumerOptions) {
    super();
    this.kafka = createKafkaClient(options);
    this.log = options.logger.child({ component: 'kafka-transport', group: options.groupId });
    this.prefix = options.topicPrefix ?? '';
    this.publisher = new KafkaEventPublisher(this.kafka, this.log, this.prefix, options.deliveryTimeoutMs);
    const batchLimit = options.batchInFlightWhileRealtime ?? 0;
    this.slots = new PrioritySemaphore(
      options.maxInFlight,
      BAND_COUNT,
      batchLimit > 0 ? { maxInFlight: batchLimit, windowMs: options.realtimeWindowMs ?? 1_000, activity: realtimeActivity } : undefined,
    );
    this.metrics = options.metrics ? new ConsumerMetrics(options.metrics, options.groupId) : undefined;
    this.pauses = new PauseBook(() => this.consumer, this.log);
    this.deps = {
      log: this.log,
      forwarder: new Forwarder(this.publisher, this.log),
      retrySecret: options.retrySecret ?? DEV_KAFKA_RETRY_SECRET,
      maxAttempts: options.maxAttempts,
      retryBackoffMs: options.retryBackoffMs,
      onDeadLetter: options.onDeadLetter,
      handlerFor: (topic) => this.handlerFor(topic),
      toObservable: (result) => this.transformToObservable(result),
    };
    this.stuck = new StuckCopies({
      log: this.log,
      pauses: this.pauses,
      metrics: this.metrics,
      stopping: () => this.stopping,
      track: (work) => this.track(work),
      written: (state, offset, outcome) => {
        this.metrics?.processed(state.logical, outcome, 0);
        this.finish(state, offset);
      },
    });
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

  /** Why this consumer is not healthy (a crash it will not recover from, copies it cannot write), if so. */
  problem(): string | undefined {
    if (this.fatal !== undefined) return 'kafka consumer crashed and will not restart';
    if (this.outage) return `kafka consumer restarting after a crash (broker unavailable for ${Math.round((Date.now() - this.outage.since) / 1000)} s)`;
    const stuck = [...this.partitions.values()].reduce((n, s) => n + s.stuck, 0);
    return stuck > 0 ? `${stuck} retry/DLQ copies cannot be written` : undefined;
  }

  /** Physical topic -> partitions assigned to this member now. */
  assigned(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const s of this.partitions.values()) (out[s.topic] ??= []).push(s.partition);
    for (const ps of Object.values(out)) ps.sort((a, b) => a - b);
    return out;
  }

  /** Partitions kafkajs itself holds paused (what decides fetching), for health checks and tests. */
  pausedInKafka(): Record<string, number[]> {
    return Object.fromEntries((this.consumer?.paused() ?? []).map(({ topic, partitions }) => [topic, [...partitions].sort((a, b) => a - b)]));
  }

  private async start(): Promise<void> {
    const topics = this.subscribedTopics();
    await this.publisher.connect();
    if (topics.length === 0) return;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      partitionAssigners: [bandStripedAssigner(() => this.assigned(), this.prefix)],
      sessionTimeout: this.options.sessionTimeoutMs ?? KAFKA_TIMING_DEFAULTS.sessionTimeoutMs,
      rebalanceTimeout: 60_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? KAFKA_TIMING_DEFAULTS.sessionTimeoutMs) / 3)),
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.recovered();
      this.onAssignment(payload.memberAssignment);
    });
    // Commits of the old generation are still accepted while the group prepares to rebalance: save what finished.
    consumer.on(consumer.events.REBALANCING, () => {
      const at = Date.now();
      void this.flushCommits().then(() => this.options.onRebalancing?.(at));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.onCrash(payload.error, payload.restart, true));
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => `${this.prefix}${t}`), fromBeginning: this.options.fromBeginning ?? true });
    await this.runConsumer(consumer);
    if (this.options.priorityPause) this.priorityTimer = setInterval(() => this.applyPriorityPause(), PRIORITY_CHECK_MS);
    this.log.info({ topics }, 'consuming');
  }

  private runConsumer(consumer: Consumer): Promise<void> {
    return consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every assigned partition gets its own worker, so one partition's batch never queues another's.
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * `fromKafka`: kafkajs crashed the consumer. When it will not restart it itself (its retries ran out while the
   * broker was down: "coordinator not found", connection refused), this transport restarts it, with backoff, for
   * a window; the partition states stay, so what was in flight is neither lost nor run twice here. Only a
   * consumer that cannot come back within the window, or a fault of this transport, takes the service down.
   */
  private onCrash(error: unknown, restart: boolean, fromKafka = false): void {
    if (restart) {
      this.log.warn({ err: error }, 'consumer restarting after a retriable error');
      return;
    }
    if (this.stopping) return;
    if (fromKafka && brokerUnavailable(error) && this.scheduleRestart(error)) return;
    this.log.error({ err: error }, 'consumer crashed and will not restart');
    this.fatal = error;
    this.options.onFatal?.(error);
  }

  /** False when the restart window is spent. */
  private scheduleRestart(error: unknown): boolean {
    const outage = (this.outage ??= { since: Date.now(), attempts: 0 });
    if (Date.now() - outage.since > (this.options.restartWindowMs ?? DEFAULT_RESTART_WINDOW_MS)) return false;
    if (outage.timer) return true; // a crash while a restart is already scheduled (connect and run both report it)
    const delay = Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** outage.attempts++);
    this.log.warn({ err: error, attempt: outage.attempts, delayMs: delay }, 'consumer crashed (broker unavailable?); restarting it');
    outage.timer = setTimeout(() => {
      outage.timer = undefined;
      void this.restartConsumer();
    }, delay);
    return true;
  }

  private async restartConsumer(): Promise<void> {
    const consumer = this.consumer;
    if (this.stopping || !consumer) return;
    try {
      // kafkajs disconnected it when it crashed; its subscriptions are kept, so connect and run are enough.
      await consumer.connect();
      await this.runConsumer(consumer);
    } catch (err) {
      if (!brokerUnavailable(err) || !this.scheduleRestart(err)) this.onCrash(err, false);
    }
  }

  private recovered(): void {
    if (!this.outage) return;
    clearTimeout(this.outage.timer);
    this.log.info({ downMs: Date.now() - this.outage.since, attempts: this.outage.attempts }, 'consumer rejoined its group after a crash');
    this.outage = undefined;
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
    const revoked: PartitionState[] = [];
    for (const [id, state] of this.partitions) {
      if (keep.has(id)) continue;
      // Work still running for a revoked partition finishes but is not committed here; its new owner redelivers it.
      state.revoke();
      this.partitions.delete(id);
      revoked.push(state);
    }
    this.pauses.resync(this.partitions.values(), revoked);
    this.log.info({ assignment }, 'partitions assigned');
  }

  private newState(topic: string, partition: number): PartitionState {
    const logical = topic.slice(this.prefix.length);
    if (!topic.startsWith(this.prefix) || !isTopicName(logical)) throw new Error(`assigned a topic this service does not know: ${topic}`);
    return new PartitionState(topic, logical, partition, TOPIC_SPECS[logical].banded ? bandOfPartition(partition) : 0);
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

  /**
   * Hands messages to handlers without waiting for slots: each message waits in the semaphore (or for its
   * retry time) on its own, so the fetch loop keeps heartbeating. A partition with `maxInFlightPerPartition`
   * messages taken is paused until one finishes, instead of re-fetching its backlog.
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const state = this.stateOf(batch.topic, batch.partition);
    state.highWatermark = Number(batch.highWatermark);
    if (batch.messages.length > 0 && state.position < 0) state.position = Number(batch.messages[0]!.offset);
    const started = Date.now();
    const batchMode = this.batchModeOf(state.logical);
    // Batch mode: the messages taken from this fetch, handed to the handler in calls of at most maxMessages.
    let group: KafkaMessage[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < state.position) {
        // Already handed to a handler before a rebalance reset the fetch position; it is still in flight here.
        resolveOffset(message.offset);
        continue;
      }
      if (this.stopping || !isRunning() || isStale() || state.revoked || state.pauseReasons.size > 0) break;
      if (state.inFlight >= this.options.maxInFlightPerPartition) {
        this.pauses.add(state, 'capacity');
        break;
      }
      if (Date.now() - started > MAX_DISPATCH_MS) break;
      state.begin(offset);
      resolveOffset(message.offset);
      if (!batchMode) {
        this.track(this.run(state, message));
        await this.heartbeat(heartbeat);
        continue;
      }
      group.push(message);
      if (group.length >= batchMode.maxMessages) {
        this.track(this.runBatch(state, group));
        group = [];
        await this.heartbeat(heartbeat);
      }
    }
    if (group.length > 0) this.track(this.runBatch(state, group));
    await this.heartbeat(heartbeat);
  }

  private async heartbeat(heartbeat: () => Promise<void>): Promise<void> {
    try {
      // kafkajs sends one only when the heartbeat interval has passed, so calling it per message is cheap.
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

  /** One message: its retry delay (no slot held), a slot, the handler, then completion or a stuck copy. */
  private async run(state: PartitionState, message: KafkaMessage): Promise<void> {
    const offset = Number(message.offset);
    const headers = decodeHeaders(message.headers);
    const wanted = this.options.prefilters?.[state.logical];
    if (wanted && !wanted({ key: message.key?.toString('utf8') ?? null, headers })) {
      this.metrics?.processed(state.logical, 'skipped', 0);
      this.finish(state, offset);
      return;
    }
    const retry = verifiedRetry(this.deps.retrySecret, state.logical, message.value, headers);
    const delay = Math.min(retry.retryAt - Date.now(), MAX_RETRY_DELAY_MS);
    // Handed back (revoked, stopping): the offset stays uncommitted and is redelivered.
    if (delay > 0 && !(await abortableSleep(delay, state.signal))) return;
    const tenant = message.key?.toString('utf8') ?? headers[Headers.tenantId] ?? '';
    const { band, realtime } = this.priorityOf(state, headers);
    if (this.stopping || !(await this.slots.acquire({ band, realtime, topic: state.topic, tenant, signal: state.signal }))) return;
    const startedAt = performance.now();
    let result: Awaited<ReturnType<typeof handleMessage>>;
    try {
      result = await handleMessage(this.deps, state, message, headers, retry);
    } catch (err) {
      // Handler errors are routed inside handleMessage; reaching here is a transport fault. The offset stays
      // uncommitted, which would freeze this partition's commits for good, so the consumer gives up the way a
      // crash does: unhealthy, and the service restarts from the last commit (nothing is lost).
      this.log.error({ err, topic: state.topic, partition: state.partition, offset }, 'message handling failed unexpectedly');
      this.onCrash(err, false);
      return;
    } finally {
      this.slots.release(band);
    }
    if (typeof result !== 'string') {
      this.stuck.hold(state, offset, result);
      return;
    }
    this.metrics?.processed(state.logical, result, (performance.now() - startedAt) / 1000);
    this.finish(state, offset);
  }

  /**
   * Batch mode: the messages of one fetch of one partition, taken in offset order. Prefiltered ones finish
   * unread; signed retry copies still waiting for their time go alone (each waits without a slot); the rest
   * wait for ONE slot (at the most urgent priority among them), run in one handler call, and each offset
   * finishes (or is held as a stuck copy) after the call settled. A revoked partition or a shutdown before the
   * slot was granted hands the whole group back uncommitted.
   */
  private async runBatch(state: PartitionState, messages: readonly KafkaMessage[]): Promise<void> {
    const wanted = this.options.prefilters?.[state.logical];
    const now = Date.now();
    const ready: BatchItem[] = [];
    for (const message of messages) {
      const headers = decodeHeaders(message.headers);
      if (wanted && !wanted({ key: message.key?.toString('utf8') ?? null, headers })) {
        this.metrics?.processed(state.logical, 'skipped', 0);
        this.finish(state, Number(message.offset));
        continue;
      }
      const retry = verifiedRetry(this.deps.retrySecret, state.logical, message.value, headers);
      const item = { message, headers, retry };
      if (retry.retryAt > now) this.track(this.deliverLater(state, item));
      else ready.push(item);
    }
    if (ready.length > 0) await this.deliverBatch(state, ready);
  }

  private async deliverLater(state: PartitionState, item: BatchItem): Promise<void> {
    const delay = Math.min(item.retry.retryAt - Date.now(), MAX_RETRY_DELAY_MS);
    if (delay > 0 && !(await abortableSleep(delay, state.signal))) return;
    await this.deliverBatch(state, [item]);
  }

  private async deliverBatch(state: PartitionState, items: readonly BatchItem[]): Promise<void> {
    let band = BAND_COUNT - 1;
    let realtime = false;
    for (const { headers } of items) {
      const p = this.priorityOf(state, headers);
      band = Math.min(band, p.band);
      realtime ||= p.realtime;
    }
    const first = items[0]!;
    const tenant = first.message.key?.toString('utf8') ?? first.headers[Headers.tenantId] ?? '';
    if (this.stopping || !(await this.slots.acquire({ band, realtime, topic: state.topic, tenant, signal: state.signal }))) return;
    const startedAt = performance.now();
    let results: Awaited<ReturnType<typeof handleBatch>>;
    try {
      results = await handleBatch(this.deps, state, items);
    } catch (err) {
      // As in run(): handler errors are routed inside handleBatch; this is a transport fault.
      this.log.error({ err, topic: state.topic, partition: state.partition, offset: first.message.offset, size: items.length }, 'batch handling failed unexpectedly');
      this.onCrash(err, false);
      return;
    } finally {
      this.slots.release(band);
    }
    this.metrics?.observeBatch(state.logical, (performance.now() - startedAt) / 1000);
    const counts = new Map<string, number>();
    results.forEach((result, i) => {
      const offset = Number(items[i]!.message.offset);
      if (typeof result !== 'string') {
        this.stuck.hold(state, offset, result);
        return;
      }
      counts.set(result, (counts.get(result) ?? 0) + 1);
      this.finish(state, offset);
    });
    for (const [outcome, n] of counts) this.metrics?.processed(state.logical, outcome, undefined, n);
  }

  /** The topic's batch delivery options when its handler declared `@OnTopic(topic, { batch })`. */
  private batchModeOf(topic: TopicName): BatchDeliveryOptions | undefined {
    if (!this.batchModes.has(topic)) {
      const extras = this.handlerFor(topic)?.extras as Record<string, unknown> | undefined;
      this.batchModes.set(topic, extras?.[BATCH_EXTRAS_KEY] as BatchDeliveryOptions | undefined);
    }
    return this.batchModes.get(topic);
  }

  /**
   * A banded topic's partition is its band; on other topics (results, usage) the producer's priority header
   * says it, so a batch flood's results do not crowd out realtime ones either. Without one, a message is
   * served first, as before, but does not count as realtime work.
   */
  private priorityOf(state: PartitionState, headers: Record<string, string>): { band: number; realtime: boolean } {
    if (TOPIC_SPECS[state.logical].banded) return { band: state.band, realtime: state.band < BAND_COUNT - 1 };
    const declared = priority.safeParse(headers[Headers.priority]);
    if (!declared.success) return { band: 0, realtime: false };
    const band = bandOf(declared.data);
    return { band, realtime: band < BAND_COUNT - 1 };
  }

  /** Nest resolves a handler by parsing its pattern on every call; topics are fixed, so each is looked up once. */
  private handlerFor(topic: string): MessageHandler | undefined {
    if (!this.handlers.has(topic)) this.handlers.set(topic, this.getHandlerByPattern(topic) ?? undefined);
    return this.handlers.get(topic);
  }

  private finish(state: PartitionState, offset: number): void {
    state.complete(offset);
    if (state.inFlight < this.options.maxInFlightPerPartition) this.pauses.remove(state, 'capacity');
    this.scheduleCommit();
  }

  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      this.commitChain = this.commitChain.then(() => this.commit());
    }, COMMIT_DEBOUNCE_MS);
  }

  /** Commits now (rebalance starting, shutdown), after any commit already under way. Never rejects. */
  private flushCommits(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.commitChain = this.commitChain.then(() => this.commit());
    return this.commitChain;
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
      // Typically a finished rebalance: the next owner resumes from the last successful commit (at-least-once).
      this.log.warn({ err }, 'offset commit failed');
    }
  }

  private applyPriorityPause(): void {
    if (!this.consumer || this.stopping) return;
    try {
      applyPriorityPause(this.partitions.values(), this.slots, this.pauses, (topic, n) => this.metrics?.priorityPauses.inc({ topic }, n));
    } catch (err) {
      // Runs from a timer: a throw here would end the process.
      this.log.warn({ err }, 'priority pause check failed');
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
    clearTimeout(this.outage?.timer);
    this.stuck.clear();
    const started = Date.now();
    // Messages still waiting for a slot or their retry time are handed back at once.
    for (const state of this.partitions.values()) state.revoke();
    this.slots.abortWaiters();
    this.pauses.pauseAll([...new Set([...this.partitions.values()].map((s) => s.topic))]);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.options.shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    await this.flushCommits();
    this.log.info({ drained, handedBack: this.inFlight.size, ms: Date.now() - started }, 'consumer stopped');
    await this.consumer?.disconnect().catch((err: unknown) => this.log.warn({ err }, 'consumer disconnect failed'));
    await this.publisher.disconnect().catch((err: unknown) => this.log.warn({ err }, 'producer disconnect failed'));
  }
}
