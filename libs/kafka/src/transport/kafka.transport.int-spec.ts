import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { dlqTopic, Headers, Topics, type LlmRequestV1, type Priority } from '@llm/contracts';
import { DomainError } from '@llm/errors';
import { initTracing, MetricsRegistry, withSpan } from '@llm/telemetry';
import { committedOffset, createTopics, llmRequest, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafkaClient } from '../client';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';
import type { DeadLetterEvent, KafkaConsumerOptions } from '../kafka.options';
import { KafkaTransport } from './kafka.transport';
import { KafkaMessageContext } from './kafka-message.context';
import { OnTopic } from './on-topic.decorator';
import { RpcPassthroughFilter } from './rpc-passthrough.filter';

class ProbeError extends DomainError<'PROBE_TRANSIENT' | 'PROBE_PERMANENT'> {
  readonly kind = 'probe';
}

interface Seen {
  requestId: string;
  tenant: string;
  priority: Priority;
  partition: number;
  attempt: number;
  /** Which consumer instance handled it (each app builds its own controller). */
  generation: number;
  traceId?: string;
  at: number;
}

/** What the probe handler does, set per test. */
const behaviour: { handle: (req: LlmRequestV1, ctx: KafkaMessageContext) => Promise<void> } = { handle: async () => undefined };
const seen: Seen[] = [];
let generations = 0;

@Controller()
class ProbeConsumer {
  private readonly generation = ++generations;

  @OnTopic(Topics.requests)
  async onRequest(req: LlmRequestV1, ctx: KafkaMessageContext): Promise<void> {
    await behaviour.handle(req, ctx);
    seen.push({
      requestId: req.request_id,
      tenant: req.tenant_id,
      priority: req.priority,
      partition: ctx.info.partition,
      attempt: ctx.attempt,
      generation: this.generation,
      traceId: trace.getActiveSpan()?.spanContext().traceId,
      at: performance.now(),
    });
  }
}

const cfg = testInfra();
const logger = quietLogger('kafka-int');
const kafka: Kafka = createKafkaClient({ brokers: cfg.KAFKA_BROKERS, clientId: 'kafka-int', logger });

const request = (overrides: Partial<LlmRequestV1> = {}) => llmRequest({ tenant_id: 'it-tenant', priority: 'batch', mode: 'async', ...overrides });

async function startConsumer(options: Partial<KafkaConsumerOptions> & { topicPrefix: string }): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(
    { module: class ProbeModule {}, controllers: [ProbeConsumer] },
    {
      strategy: new KafkaTransport({
        brokers: cfg.KAFKA_BROKERS,
        clientId: 'kafka-int',
        groupId: `it-group-${randomUUID()}`,
        logger,
        maxInFlight: 8,
        maxInFlightPerPartition: 8,
        maxAttempts: 3,
        retryBackoffMs: 20,
        priorityPause: true,
        shutdownTimeoutMs: 5_000,
        ...options,
      }),
      logger: false,
    },
  );
  app.useGlobalFilters(new RpcPassthroughFilter());
  await app.listen();
  return app;
}

async function readTopic(topic: string, until: (messages: KafkaMessage[]) => boolean): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `it-reader-${randomUUID()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  try {
    await waitFor(() => (until(messages) ? true : undefined), { what: `messages on ${topic}`, timeoutMs: 30_000 });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

describe('KafkaTransport on the real broker', () => {
  let publisher: KafkaEventPublisher;
  let app: INestMicroservice | undefined;

  beforeAll(() => initTracing());

  beforeEach(() => {
    seen.length = 0;
    behaviour.handle = async () => undefined;
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await publisher?.disconnect();
  });

  describe('on the real topic names', () => {
    beforeEach(async () => {
      publisher = new KafkaEventPublisher(kafka, logger);
      await publisher.connect();
    });

    it('sends a malformed message to llm.requests.v1.dlq with the reason and goes on with the next', async () => {
      app = await startConsumer({ topicPrefix: '' });
      const marker = `malformed-${randomUUID()}`;
      const bad = request({ tenant_id: 'it-dlq' });
      await publisher.send({ topic: Topics.requests, partition: 8, key: marker, value: '{"request_id": "not json', headers: {} });
      await publisher.send({ topic: Topics.requests, partition: 8, key: `${marker}-schema`, value: JSON.stringify({ ...bad, priority: 'urgent' }), headers: {} });
      const good = request({ tenant_id: 'it-dlq' });
      await publisher.publish(Topics.requests, good);

      await waitFor(() => seen.find((s) => s.requestId === good.request_id), { what: 'the valid message' });
      expect(seen.map((s) => s.requestId)).not.toContain(bad.request_id);

      const dlq = await readTopic(dlqTopic(Topics.requests), (ms) => ms.filter((m) => m.key?.toString().startsWith(marker)).length === 2);
      const mine = dlq.filter((m) => m.key?.toString().startsWith(marker));
      const byKey = Object.fromEntries(mine.map((m) => [m.key!.toString(), m]));
      expect(byKey[marker]!.headers![Headers.dlqErrorCode]!.toString()).toBe('INVALID_JSON');
      expect(byKey[marker]!.value!.toString()).toBe('{"request_id": "not json');
      const schemaFailure = byKey[`${marker}-schema`]!;
      expect(schemaFailure.headers![Headers.dlqErrorCode]!.toString()).toBe('SCHEMA_VIOLATION');
      expect(schemaFailure.headers![Headers.dlqReason]!.toString()).toMatch(/^priority: /);
      expect(schemaFailure.headers![Headers.dlqOriginalTopic]!.toString()).toBe(Topics.requests);
    });
  });

  describe('on isolated topics', () => {
    let prefix: string;

    beforeEach(async () => {
      prefix = uniquePrefix('kafka');
      await createTopics(prefix);
      publisher = new KafkaEventPublisher(kafka, logger, prefix);
      await publisher.connect();
    });

    it('retries a retryable failure with x-attempt, then dead-letters after the last attempt', async () => {
      const flaky = request();
      const permanent = request();
      behaviour.handle = async (req) => {
        if (req.request_id === flaky.request_id) throw new ProbeError('PROBE_TRANSIENT', 'provider overloaded', true);
        if (req.request_id === permanent.request_id) throw new ProbeError('PROBE_PERMANENT', 'cannot ever work');
      };
      const attempts: number[] = [];
      const inner = behaviour.handle;
      behaviour.handle = async (req, ctx) => {
        if (req.request_id === flaky.request_id) attempts.push(ctx.attempt);
        await inner(req, ctx);
      };
      const deadLettered: DeadLetterEvent[] = [];
      app = await startConsumer({ topicPrefix: prefix, maxAttempts: 3, onDeadLetter: async (e) => void deadLettered.push(e) });
      await publisher.publish(Topics.requests, flaky);
      await publisher.publish(Topics.requests, permanent);

      const dlq = await readTopic(dlqTopic(`${prefix}${Topics.requests}`), (ms) => ms.length === 2);
      const codes = Object.fromEntries(dlq.map((m) => [JSON.parse(m.value!.toString()).request_id, m.headers![Headers.dlqErrorCode]!.toString()]));
      expect(codes).toEqual({ [flaky.request_id]: 'PROBE_TRANSIENT', [permanent.request_id]: 'PROBE_PERMANENT' });
      expect(attempts).toEqual([1, 2, 3]);
      const flakyDlq = dlq.find((m) => JSON.parse(m.value!.toString()).request_id === flaky.request_id)!;
      expect(flakyDlq.headers![Headers.dlqReason]!.toString()).toContain('gave up after 3 attempts');
      expect(flakyDlq.headers![Headers.attempt]!.toString()).toBe('3');
      // The hook hears of both, after their DLQ copies, with the validated payload to finish them for the caller.
      await waitFor(() => (deadLettered.length === 2 ? true : undefined), { what: 'the dead-letter hook' });
      expect(deadLettered.map((e) => [e.topic, (e.payload as LlmRequestV1).request_id, e.code]).sort()).toEqual(
        [
          [Topics.requests, flaky.request_id, 'PROBE_TRANSIENT'],
          [Topics.requests, permanent.request_id, 'PROBE_PERMANENT'],
        ].sort(),
      );
    });

    it('puts priorities in their bands and carries trace context to the handler', async () => {
      app = await startConsumer({ topicPrefix: prefix });
      const sent: Record<string, { priority: Priority; traceId: string }> = {};
      for (const priority of ['realtime-paid', 'realtime-free', 'batch'] as const) {
        const req = request({ priority, tenant_id: `tenant-${priority}` });
        const traceId = await withSpan('produce', {}, async (span) => {
          await publisher.publish(Topics.requests, req);
          return span.spanContext().traceId;
        });
        sent[req.request_id] = { priority, traceId };
      }
      await waitFor(() => (seen.length === 3 ? true : undefined), { what: 'three messages' });
      for (const s of seen) {
        const band = { 'realtime-paid': 0, 'realtime-free': 1, batch: 2 }[s.priority];
        expect(Math.floor(s.partition / 4)).toBe(band);
        expect(s.traceId).toBe(sent[s.requestId]!.traceId);
      }
    });

    it('serves a realtime-paid backlog before 90% of a batch backlog', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => request({ priority: 'batch', tenant_id: `batch-${i % 20}` }));
      const paid = Array.from({ length: 100 }, (_, i) => request({ priority: 'realtime-paid', tenant_id: `paid-${i % 5}` }));
      // The backlog builds while no consumer runs, batch first, so arrival order favours batch.
      for (const chunk of [batch, paid]) await Promise.all(chunk.map((r) => publisher.publish(Topics.requests, r)));
      behaviour.handle = () => new Promise((r) => setTimeout(r, 3));

      app = await startConsumer({ topicPrefix: prefix, maxInFlight: 8 });
      await waitFor(() => (seen.length >= 1100 ? true : undefined), { what: 'the whole backlog', timeoutMs: 60_000 });

      const paidIds = new Set(paid.map((r) => r.request_id));
      const lastPaid = Math.max(...seen.map((s, i) => (paidIds.has(s.requestId) ? i : -1)));
      const batchDoneBefore = seen.slice(0, lastPaid).filter((s) => !paidIds.has(s.requestId)).length;
      console.log(`priority: last realtime-paid finished at position ${lastPaid + 1} of 1100, after ${batchDoneBefore} of 1000 batch messages`);
      expect(batchDoneBefore).toBeLessThan(900);
      expect(new Set(seen.map((s) => s.requestId)).size).toBe(1100);
    });

    it('holds a batch flood to its few slots while realtime work flows, and gives it every slot again after', async () => {
      const flood = Array.from({ length: 600 }, (_, i) => request({ priority: 'batch', tenant_id: `flood-${i % 10}` }));
      await Promise.all(flood.map((r) => publisher.publish(Topics.requests, r)));
      let batchInFlight = 0;
      let lastRealtimeAt = Number.NEGATIVE_INFINITY;
      const batchConcurrency = { quiet: 0, duringRealtime: 0 };
      behaviour.handle = async (req) => {
        if (req.priority !== 'batch') {
          lastRealtimeAt = performance.now();
          return;
        }
        batchInFlight++;
        // Well inside the 500 ms window, so a batch message that started after the window lapsed is not counted.
        const realtimeRecent = performance.now() - lastRealtimeAt < 300;
        const key = realtimeRecent ? 'duringRealtime' : 'quiet';
        batchConcurrency[key] = Math.max(batchConcurrency[key], batchInFlight);
        await new Promise((r) => setTimeout(r, 15));
        batchInFlight--;
      };
      app = await startConsumer({ topicPrefix: prefix, maxInFlight: 8, batchInFlightWhileRealtime: 2, realtimeWindowMs: 500 });
      await waitFor(() => (seen.length >= 40 ? true : undefined), { what: 'the flood under way' });

      const realtime = [];
      for (let i = 0; i < 20; i++) {
        const r = request({ priority: 'realtime-paid', tenant_id: 'paid' });
        realtime.push(r);
        await publisher.publish(Topics.requests, r);
        await new Promise((res) => setTimeout(res, 50));
      }
      await waitFor(() => (seen.length >= flood.length + realtime.length ? true : undefined), { what: 'the flood and the realtime messages', timeoutMs: 60_000 });
      console.log(`batch in flight: up to ${batchConcurrency.quiet} while realtime was quiet, up to ${batchConcurrency.duringRealtime} while it flowed`);
      expect(batchConcurrency.quiet).toBeGreaterThan(2);
      expect(batchConcurrency.duringRealtime).toBeLessThanOrEqual(2);
      expect(new Set(seen.map((x) => x.requestId)).size).toBe(flood.length + realtime.length);
    });

    it('commits what a topic prefilter refuses without reading it, and hands the rest to the handler', async () => {
      const metrics = new MetricsRegistry('kafka-int', { defaultMetrics: false });
      const groupId = `it-prefilter-${randomUUID()}`;
      app = await startConsumer({ topicPrefix: prefix, groupId, metrics, prefilters: { [Topics.requests]: ({ key }) => key !== 'it-skip' } });
      const topic = `${prefix}${Topics.requests}`;
      const kept = [request({ tenant_id: 'it-keep' }), request({ tenant_id: 'it-keep' })];
      const skipped = request({ tenant_id: 'it-skip' });
      const raw = (r: LlmRequestV1) => ({ topic, partition: 8, key: r.tenant_id, value: JSON.stringify(r), headers: { [Headers.requestId]: r.request_id } });
      await publisher.send(raw(kept[0]!));
      await publisher.send(raw(skipped));
      // Not even valid JSON: read, it would be dead-lettered; refused unread, it is simply committed.
      await publisher.send({ topic, partition: 8, key: 'it-skip', value: '{"not json', headers: {} });
      await publisher.send(raw(kept[1]!));

      await waitFor(async () => ((await committedOffset(groupId, topic, 8)) === 4 ? true : undefined), { what: 'the commit past all four' });
      expect(seen.map((x) => x.requestId).sort()).toEqual(kept.map((r) => r.request_id).sort());
      const processed = (await metrics.render()).split('\n').filter((l) => l.startsWith('kafka_messages_processed_total'));
      expect(processed).toEqual(expect.arrayContaining([expect.stringMatching(/outcome="skipped".* 2$/), expect.stringMatching(/outcome="ok".* 2$/)]));
      expect(processed.some((l) => l.includes('outcome="dlq"'))).toBe(false);
    });

    it('processes a partition concurrently but commits only up to the lowest unfinished message', async () => {
      let releaseFirst!: () => void;
      const firstDone = new Promise<void>((r) => (releaseFirst = r));
      const reqs = Array.from({ length: 20 }, () => request({ tenant_id: 'one-tenant' }));
      behaviour.handle = async (req) => {
        if (req.request_id === reqs[0]!.request_id) await firstDone;
      };
      const groupId = `it-commit-${randomUUID()}`;
      app = await startConsumer({ topicPrefix: prefix, groupId, maxInFlightPerPartition: 32, maxInFlight: 32 });
      for (const r of reqs) await publisher.publish(Topics.requests, r);

      await waitFor(() => (seen.length === 19 ? true : undefined), { what: 'the 19 fast messages' });
      const partition = seen[0]!.partition;
      const topic = `${prefix}${Topics.requests}`;
      // Give the debounced committer time to run; it must not move past the unfinished first message.
      await new Promise((r) => setTimeout(r, 300));
      expect(await committedOffset(groupId, topic, partition)).toBeLessThanOrEqual(0);

      releaseFirst();
      await waitFor(async () => ((await committedOffset(groupId, topic, partition)) === 20 ? true : undefined), { what: 'the commit to reach 20' });
    });

    it('hands back unfinished work on shutdown so the next consumer of the group redelivers it', async () => {
      const slow = request();
      const groupId = `it-shutdown-${randomUUID()}`;
      let started = false;
      behaviour.handle = async (req) => {
        if (req.request_id === slow.request_id) {
          started = true;
          await new Promise((r) => setTimeout(r, 3_000));
        }
      };
      app = await startConsumer({ topicPrefix: prefix, groupId, shutdownTimeoutMs: 200 });
      await publisher.publish(Topics.requests, slow);
      await waitFor(() => (started ? true : undefined), { what: 'the slow handler to start' });
      await app.close();
      app = undefined;

      behaviour.handle = async () => undefined;
      app = await startConsumer({ topicPrefix: prefix, groupId });
      const second = generations;
      await waitFor(() => seen.find((s) => s.requestId === slow.request_id && s.generation === second), { what: 'redelivery after shutdown' });
    });
  });
});
