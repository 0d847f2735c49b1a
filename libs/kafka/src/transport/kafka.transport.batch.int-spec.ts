import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { dlqTopic, Headers, Topics, type LlmRequestV1, type Priority } from '@llm/contracts';
import { DomainError } from '@llm/errors';
import { committedOffset, createTopics, llmRequest, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafkaClient } from '../client';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';
import type { KafkaConsumerOptions } from '../kafka.options';
import { KafkaTransport } from './kafka.transport';
import type { KafkaBatchContext } from './kafka-batch.context';
import { OnTopic, type BatchResult } from './on-topic.decorator';
import { RpcPassthroughFilter } from './rpc-passthrough.filter';

class ProbeError extends DomainError<'PROBE_TRANSIENT' | 'PROBE_PERMANENT'> {
  readonly kind = 'probe';
}

interface Call {
  member: string;
  ids: string[];
  offsets: number[];
  attempts: number[];
  partition: number;
  startedAt: number;
  endedAt?: number;
}

/** Every handler call, and what it did; the behaviour is set per test. */
const calls: Call[] = [];
const behaviour: { handle: (reqs: LlmRequestV1[], ctx: KafkaBatchContext) => Promise<BatchResult> } = { handle: async () => undefined };
let nextMember = '';

@Controller()
class BatchProbe {
  private readonly member = nextMember;

  @OnTopic(Topics.requests, { batch: { maxMessages: 50 } })
  async onRequests(reqs: LlmRequestV1[], ctx: KafkaBatchContext): Promise<BatchResult> {
    const call: Call = {
      member: this.member,
      ids: reqs.map((r) => r.request_id),
      offsets: ctx.messages.map((m) => Number(m.offset)),
      attempts: ctx.messages.map((m) => m.attempt),
      partition: ctx.info.partition,
      startedAt: Date.now(),
    };
    calls.push(call);
    const result = await behaviour.handle(reqs, ctx);
    call.endedAt = Date.now();
    return result;
  }
}

const cfg = testInfra();
const logger = quietLogger('kafka-batch-int');
const kafka: Kafka = createKafkaClient({ brokers: cfg.KAFKA_BROKERS, clientId: 'kafka-batch-int', logger });

interface Member {
  name: string;
  app: INestMicroservice;
  transport: KafkaTransport;
  rebalances: number[];
}

async function startMember(name: string, options: Partial<KafkaConsumerOptions> & { topicPrefix: string; groupId: string }): Promise<Member> {
  const rebalances: number[] = [];
  const transport = new KafkaTransport({
    brokers: cfg.KAFKA_BROKERS,
    clientId: `kafka-batch-${name}`,
    logger,
    maxInFlight: 8,
    maxInFlightPerPartition: 200,
    maxAttempts: 3,
    retryBackoffMs: 20,
    priorityPause: true,
    shutdownTimeoutMs: 5_000,
    onRebalancing: (at) => rebalances.push(at),
    ...options,
  });
  nextMember = name;
  const app = await NestFactory.createMicroservice({ module: class BatchProbeModule {}, controllers: [BatchProbe] }, { strategy: transport, logger: false });
  app.useGlobalFilters(new RpcPassthroughFilter());
  await app.listen();
  return { name, app, transport, rebalances };
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

/** Request ids with a successful run (the handler's result said nothing against them). */
const succeeded = new Map<string, number>();
const markSucceeded = (reqs: LlmRequestV1[], result?: readonly unknown[]) =>
  reqs.forEach((r, i) => {
    if (result?.[i] === undefined) succeeded.set(r.request_id, (succeeded.get(r.request_id) ?? 0) + 1);
  });

describe('KafkaTransport batch delivery on the real broker', () => {
  let prefix: string;
  let topic: string;
  let publisher: KafkaEventPublisher;
  const members: Member[] = [];

  beforeEach(async () => {
    calls.length = 0;
    succeeded.clear();
    behaviour.handle = async (reqs) => void markSucceeded(reqs);
    prefix = uniquePrefix('kafka-batch');
    topic = `${prefix}${Topics.requests}`;
    await createTopics(prefix);
    publisher = new KafkaEventPublisher(kafka, logger, prefix);
    await publisher.connect();
  });

  afterEach(async () => {
    for (const m of members.splice(0)) await m.app.close();
    await publisher.disconnect();
  });

  const raw = (r: LlmRequestV1) => ({ topic, partition: 8, key: r.tenant_id, value: JSON.stringify(r), headers: { [Headers.requestId]: r.request_id } });

  it('delivers a fetched batch in one call, sends its invalid messages to the DLQ with their reasons, and commits past all', async () => {
    const valid = Array.from({ length: 20 }, () => llmRequest({ tenant_id: 'it-batch', priority: 'batch', mode: 'async' }));
    const marker = `bad-${randomUUID()}`;
    // Produced before the consumer starts, so one fetch holds them all, invalid ones in the middle.
    for (const [i, r] of valid.entries()) {
      await publisher.send(raw(r));
      if (i === 5) await publisher.send({ topic, partition: 8, key: marker, value: '{"request_id": "not json', headers: {} });
      if (i === 12)
        await publisher.send({ topic, partition: 8, key: `${marker}-schema`, value: JSON.stringify({ ...r, request_id: randomUUID(), priority: 'urgent' }), headers: {} });
    }
    const groupId = `it-batch-${randomUUID()}`;
    members.push(await startMember('solo', { topicPrefix: prefix, groupId }));

    await waitFor(async () => ((await committedOffset(groupId, topic, 8)) === 22 ? true : undefined), { what: 'the commit past all 22 messages' });
    expect([...succeeded.keys()].sort()).toEqual(valid.map((r) => r.request_id).sort());
    expect([...succeeded.values()].every((n) => n === 1)).toBe(true);
    // Fewer calls than messages: whole fetched batches reached the handler, in offset order.
    expect(calls.length).toBeLessThan(valid.length);
    expect(calls.flatMap((c) => c.ids)).toEqual(valid.map((r) => r.request_id));

    const dlq = await readTopic(dlqTopic(topic), (ms) => ms.filter((m) => m.key?.toString().startsWith(marker)).length === 2);
    const byKey = Object.fromEntries(dlq.map((m) => [m.key!.toString(), m]));
    expect(byKey[marker]!.headers![Headers.dlqErrorCode]!.toString()).toBe('INVALID_JSON');
    expect(byKey[`${marker}-schema`]!.headers![Headers.dlqErrorCode]!.toString()).toBe('SCHEMA_VIOLATION');
    expect(byKey[`${marker}-schema`]!.headers![Headers.dlqReason]!.toString()).toMatch(/^priority: /);
  });

  it('retries every message of a call that threw, dead-letters a message that failed alone, and runs the rest once', async () => {
    const reqs = Array.from({ length: 10 }, () => llmRequest({ tenant_id: 'it-batch', priority: 'batch', mode: 'async' }));
    const permanent = reqs[4]!;
    for (const r of reqs) await publisher.send(raw(r));
    let thrown = false;
    behaviour.handle = async (batch) => {
      if (!thrown) {
        thrown = true;
        throw new ProbeError('PROBE_TRANSIENT', 'database briefly unavailable', true);
      }
      const result = batch.map((r) => (r.request_id === permanent.request_id ? new ProbeError('PROBE_PERMANENT', 'refused for good') : undefined));
      markSucceeded(batch, result);
      return result;
    };
    const groupId = `it-batch-fail-${randomUUID()}`;
    members.push(await startMember('solo', { topicPrefix: prefix, groupId }));

    const dlq = await readTopic(dlqTopic(topic), (ms) => ms.length === 1);
    expect(JSON.parse(dlq[0]!.value!.toString()).request_id).toBe(permanent.request_id);
    expect(dlq[0]!.headers![Headers.dlqErrorCode]!.toString()).toBe('PROBE_PERMANENT');
    expect(dlq[0]!.headers![Headers.attempt]!.toString()).toBe('2');
    // 10 originals and their 10 retry copies, all finished.
    await waitFor(async () => ((await committedOffset(groupId, topic, 8)) === 20 ? true : undefined), { what: 'the commit past the retry copies' });
    const others = reqs.filter((r) => r !== permanent).map((r) => r.request_id);
    expect([...succeeded.keys()].sort()).toEqual([...others].sort());
    expect([...succeeded.values()].every((n) => n === 1)).toBe(true);
    // The failed call saw the first attempts; every message came back once as attempt 2.
    expect(calls[0]!.attempts.every((a) => a === 1)).toBe(true);
    const retried = calls.slice(1).flatMap((c) => c.ids.map((id, i) => [id, c.attempts[i]!] as const));
    expect(retried.map(([id]) => id).sort()).toEqual(reqs.map((r) => r.request_id).sort());
    expect(retried.every(([, a]) => a === 2)).toBe(true);
  });

  it('two members of one group during rebalances: every message handled, nothing finished before a rebalance runs again, all committed', async () => {
    const groupId = `it-batch-group-${randomUUID()}`;
    behaviour.handle = async (batch) => {
      // Long enough that rebalances catch calls in flight.
      await new Promise((r) => setTimeout(r, 100));
      markSucceeded(batch);
    };
    const sent: string[] = [];
    const priorities: Priority[] = ['realtime-paid', 'realtime-free', 'batch'];
    // Twenty at a time, faster than the handler keeps up with, so partitions build backlogs and calls carry several.
    const produce = async (n: number) => {
      for (let i = 0; i < n; i += 20) {
        const reqs = Array.from({ length: Math.min(20, n - i) }, () => {
          const req = llmRequest({ tenant_id: `tenant-${sent.length % 17}`, priority: priorities[sent.length % 3]!, mode: 'async' });
          sent.push(req.request_id);
          return req;
        });
        await Promise.all(reqs.map((r) => publisher.publish(Topics.requests, r)));
      }
    };
    const owned = (m: Member) => Object.values(m.transport.assigned()).reduce((n, ps) => n + ps.length, 0);
    const settled = (live: Member[]) => (live.every((m) => owned(m) > 0) && live.reduce((n, m) => n + owned(m), 0) === 12 ? true : undefined);
    const options = { topicPrefix: prefix, groupId, sessionTimeoutMs: 6_000 };

    const first = await startMember('m1', options);
    members.push(first);
    await waitFor(() => settled([first]), { what: 'm1 owning everything', timeoutMs: 30_000 });
    await produce(300);
    const flowing = produce(600);
    const second = await startMember('m2', options);
    members.push(second);
    await waitFor(() => settled([first, second]), { what: 'two members sharing the partitions', timeoutMs: 60_000 });
    await flowing;
    await waitFor(() => (succeeded.size >= 600 ? true : undefined), { what: 'progress on two members', timeoutMs: 60_000 });
    expect(calls.some((c) => c.member === 'm2')).toBe(true);

    // m1 leaves while messages flow: m2 takes its partitions over from m1's last commits.
    const flowingAgain = produce(400);
    await first.app.close();
    members.splice(members.indexOf(first), 1);
    await waitFor(() => settled([second]), { what: 'm2 owning everything', timeoutMs: 60_000 });
    await flowingAgain;
    await waitFor(() => (sent.every((id) => succeeded.has(id)) ? true : undefined), { what: 'every message handled', timeoutMs: 90_000 });

    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return ends.every((e) => committed!.partitions.find((p) => p.partition === e.partition)?.offset === e.high) ? true : undefined;
        },
        { what: 'every partition committed to its end', timeoutMs: 30_000 },
      );
    } finally {
      await admin.disconnect();
    }
    expect(second.transport.pausedInKafka()).toEqual({});

    // A re-run is avoidable when its member had finished it, and every lower offset of its partition, before
    // it learned of the rebalance that moved the partition: commit-on-rebalance must have saved it. (A finished
    // message above an unfinished one cannot be committed; m1 owned each partition from offset 0, and m2 never
    // lost one, so the first run of a message run twice is always m1's.)
    const runsOf = new Map<string, { call: Call; offset: number }[]>();
    for (const c of calls) c.ids.forEach((id, i) => runsOf.set(id, [...(runsOf.get(id) ?? []), { call: c, offset: c.offsets[i]! }]));
    const rebalanceStarts = { m1: first.rebalances, m2: second.rebalances };
    const finishedBy = (member: string, partition: number, offset: number, before: number) =>
      calls.some((c) => c.member === member && c.partition === partition && c.offsets.includes(offset) && c.endedAt !== undefined && c.endedAt < before);
    const duplicated = [...runsOf.entries()].filter(([, rs]) => rs.length > 1);
    const avoidable = duplicated.filter(([, [a, b]]) => {
      const lastStart = Math.max(...rebalanceStarts[a!.call.member as 'm1' | 'm2'].filter((at) => at <= b!.call.startedAt), -Infinity);
      if (!(a!.call.endedAt !== undefined && a!.call.endedAt < lastStart)) return false;
      for (let o = 0; o < a!.offset; o++) if (!finishedBy(a!.call.member, a!.call.partition, o, lastStart)) return false;
      return true;
    });
    console.log(
      `batch mode, group 1 -> 2 -> 1: ${sent.length} messages in ${calls.length} calls (largest ${Math.max(...calls.map((c) => c.ids.length))}), ` +
        `${duplicated.length} messages run twice (${avoidable.length} had finished before the rebalance)`,
    );
    expect(avoidable.map(([id]) => id)).toEqual([]);
    expect(runsOf.size).toBe(sent.length);
    // Batch mode is at work: calls carried several messages.
    expect(calls.length).toBeLessThan(sent.length);
  }, 240_000);
});
