import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { dlqTopic, Headers, Topics, TOPIC_SPECS, type LlmRequestV1, type Priority } from '@llm/contracts';
import { DomainError } from '@llm/errors';
import { committedOffset, createTopics, llmRequest, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import type { Kafka } from 'kafkajs';
import { createKafkaClient } from '../client';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';
import { partitionFor } from '../producer/partitioner';
import type { KafkaConsumerOptions } from '../kafka.options';
import { KafkaTransport } from './kafka.transport';
import type { KafkaMessageContext } from './kafka-message.context';
import { OnTopic } from './on-topic.decorator';
import { RpcPassthroughFilter } from './rpc-passthrough.filter';

class ProbeError extends DomainError<'PROBE_TRANSIENT'> {
  readonly kind = 'probe';
}

interface Seen {
  requestId: string;
  partition: number;
  attempt: number;
}

const behaviour: { handle: (req: LlmRequestV1, ctx: KafkaMessageContext) => Promise<void> } = { handle: async () => undefined };
const seen: Seen[] = [];

@Controller()
class FaultProbe {
  @OnTopic(Topics.requests)
  async onRequest(req: LlmRequestV1, ctx: KafkaMessageContext): Promise<void> {
    await behaviour.handle(req, ctx);
    seen.push({ requestId: req.request_id, partition: ctx.info.partition, attempt: ctx.attempt });
  }
}

const cfg = testInfra();
const logger = quietLogger('kafka-faults-int');
const kafka: Kafka = createKafkaClient({ brokers: cfg.KAFKA_BROKERS, clientId: 'kafka-faults-int', logger });
const spec = TOPIC_SPECS[Topics.requests];

/** A tenant whose messages of `priority` land on `partition`. */
function tenantOn(partition: number, priority: Priority): string {
  for (let i = 0; ; i++) if (partitionFor(spec, `t-${i}`, priority) === partition) return `t-${i}`;
}

interface Member {
  app: INestMicroservice;
  transport: KafkaTransport;
}

const count = (a: Record<string, number[]>) => Object.values(a).reduce((n, ps) => n + ps.length, 0);

describe('KafkaTransport under faults (real broker)', () => {
  let prefix: string;
  let topic: string;
  let publisher: KafkaEventPublisher;
  const members: Member[] = [];

  async function start(options: Partial<KafkaConsumerOptions> = {}): Promise<Member> {
    const transport = new KafkaTransport({
      brokers: cfg.KAFKA_BROKERS,
      clientId: 'kafka-faults-int',
      groupId: `it-faults-${randomUUID()}`,
      topicPrefix: prefix,
      logger,
      maxInFlight: 8,
      maxInFlightPerPartition: 8,
      maxAttempts: 3,
      retryBackoffMs: 20,
      priorityPause: true,
      shutdownTimeoutMs: 2_000,
      sessionTimeoutMs: 6_000,
      ...options,
    });
    const app = await NestFactory.createMicroservice({ module: class FaultModule {}, controllers: [FaultProbe] }, { strategy: transport, logger: false });
    app.useGlobalFilters(new RpcPassthroughFilter());
    await app.listen();
    const member = { app, transport };
    members.push(member);
    return member;
  }

  /** Log end offset, or undefined while leadership of the fresh topic is still settling (polled by waitFor). */
  async function endOffset(partition: number): Promise<number | undefined> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)!.high);
    } catch {
      return undefined;
    } finally {
      await admin.disconnect();
    }
  }

  beforeEach(async () => {
    seen.length = 0;
    behaviour.handle = async () => undefined;
    prefix = uniquePrefix('kafka-faults');
    topic = `${prefix}${Topics.requests}`;
    await createTopics(prefix);
    publisher = new KafkaEventPublisher(kafka, logger, prefix, 5_000);
    await publisher.connect();
  });

  afterEach(async () => {
    for (const m of members.splice(0)) await m.app.close();
    await publisher.disconnect();
  });

  it('item 11: a partition revoked while paused for priority is fetched again when it comes back', async () => {
    const groupId = `it-resync-${randomUUID()}`;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    behaviour.handle = async (req) => {
      if (req.priority === 'realtime-paid') await gate;
    };
    const a = await start({ groupId, maxInFlight: 1 });
    await waitFor(() => (count(a.transport.assigned()) === 12 ? true : undefined), { what: 'A owning every partition' });
    // One paid message holds the only slot and one waits for it: band 0 is busy, so bands 1 and 2 pause.
    const paidTenant = tenantOn(0, 'realtime-paid');
    for (let i = 0; i < 2; i++) await publisher.publish(Topics.requests, llmRequest({ tenant_id: paidTenant, priority: 'realtime-paid', mode: 'async' }));
    await waitFor(() => ((a.transport.pausedInKafka()[topic] ?? []).filter((p) => p >= 8).length === 4 ? true : undefined), { what: 'band 2 paused' });

    const b = await start({ groupId, maxInFlight: 1 });
    await waitFor(() => (count(b.transport.assigned()) > 0 && count(a.transport.assigned()) < 12 ? true : undefined), { what: 'B to take partitions', timeoutMs: 30_000 });
    release();
    await b.app.close();
    members.splice(members.indexOf(b), 1);
    await waitFor(() => (count(a.transport.assigned()) === 12 ? true : undefined), { what: 'A owning every partition again', timeoutMs: 30_000 });

    const batch = [8, 9, 10, 11].map((p) => llmRequest({ tenant_id: tenantOn(p, 'batch'), priority: 'batch', mode: 'async' }));
    for (const r of batch) await publisher.publish(Topics.requests, r);
    await waitFor(() => (batch.every((r) => seen.some((s) => s.requestId === r.request_id)) ? true : undefined), { what: 'every band-2 partition consumed' });
    expect(a.transport.pausedInKafka()[topic] ?? []).toEqual([]);
  }, 90_000);

  it('item 12: a crash kafkajs will not restart reaches onFatal and makes the consumer unhealthy', async () => {
    const groupId = `it-fatal-${randomUUID()}`;
    // A member of the same group with another assignment protocol: our join is refused with
    // INCONSISTENT_GROUP_PROTOCOL, which kafkajs does not retry.
    const other = kafka.consumer({ groupId, sessionTimeout: 6_000 });
    const joined = new Promise<void>((r) => other.on(other.events.GROUP_JOIN, () => r()));
    await other.connect();
    await other.subscribe({ topic });
    await other.run({ eachMessage: async () => undefined });
    await joined;
    try {
      const fatal: unknown[] = [];
      const m = await start({ groupId, onFatal: (err) => fatal.push(err) });
      await waitFor(() => (fatal.length > 0 ? true : undefined), { what: 'onFatal', timeoutMs: 30_000 });
      expect(m.transport.problem()).toMatch(/crashed/);
      expect(fatal).toHaveLength(1);
    } finally {
      await other.disconnect();
    }
  }, 60_000);

  it('item 13: a DLQ copy that cannot be written keeps its offset uncommitted, frees the slot, shows up, and lands later', async () => {
    const groupId = `it-stuck-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [dlqTopic(topic)] });
    // Deletion completes through the metadata log; until then a write could still land in the old topic.
    await waitFor(async () => (!(await admin.listTopics()).includes(dlqTopic(topic)) ? true : undefined), { what: 'the DLQ topic gone' });
    try {
      const m = await start({ groupId, maxInFlight: 1, deliveryTimeoutMs: 500 });
      await publisher.send({ topic, partition: 8, key: 'poison', value: '{"not json', headers: {} });
      await waitFor(() => m.transport.problem(), { what: 'the stuck copy to show on health', timeoutMs: 30_000 });
      // The only slot is free: other work goes on while the copy is stuck.
      const good = llmRequest({ tenant_id: tenantOn(0, 'realtime-paid'), priority: 'realtime-paid', mode: 'async' });
      await publisher.publish(Topics.requests, good);
      await waitFor(() => seen.find((s) => s.requestId === good.request_id), { what: 'other work' });
      expect(m.transport.pausedInKafka()[topic]).toContain(8);
      expect(await committedOffset(groupId, topic, 8)).toBeLessThanOrEqual(0);

      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: dlqTopic(topic), numPartitions: 1, replicationFactor: 1 }] });
      await waitFor(async () => ((await committedOffset(groupId, topic, 8)) === 1 ? true : undefined), { what: 'the offset committed once the copy landed', timeoutMs: 60_000 });
      expect(m.transport.problem()).toBeUndefined();
      expect(m.transport.pausedInKafka()[topic] ?? []).not.toContain(8);
    } finally {
      await admin.disconnect();
    }
  }, 90_000);

  it('item 14: a partition at capacity is paused in kafkajs, not re-fetched, and resumes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    behaviour.handle = () => gate;
    const m = await start({ maxInFlightPerPartition: 2 });
    const tenant = tenantOn(9, 'batch');
    const reqs = Array.from({ length: 6 }, () => llmRequest({ tenant_id: tenant, priority: 'batch', mode: 'async' }));
    for (const r of reqs) await publisher.publish(Topics.requests, r);
    await waitFor(() => ((m.transport.pausedInKafka()[topic] ?? []).includes(9) ? true : undefined), { what: 'partition 9 paused at capacity' });
    release();
    await waitFor(() => (seen.length === 6 ? true : undefined), { what: 'all six' });
    await waitFor(() => (!(m.transport.pausedInKafka()[topic] ?? []).includes(9) ? true : undefined), { what: 'partition 9 resumed' });
  });

  it('item 14: a retry waiting for its x-retry-at holds no slot', async () => {
    const tenant = tenantOn(4, 'realtime-free');
    const flaky = llmRequest({ tenant_id: tenant, priority: 'realtime-free', mode: 'async' });
    const order: string[] = [];
    behaviour.handle = async (req, ctx) => {
      order.push(`${req.request_id === flaky.request_id ? 'flaky' : 'other'}@${ctx.attempt}`);
      if (req.request_id === flaky.request_id && ctx.attempt === 1) throw new ProbeError('PROBE_TRANSIENT', 'try again', true);
    };
    await start({ maxInFlight: 1, retryBackoffMs: 4_000 });
    await publisher.publish(Topics.requests, flaky);
    // The retry copy is on the partition before the next message.
    await waitFor(async () => ((await endOffset(4)) === 2 ? true : undefined), { what: 'the retry copy' });
    const other = llmRequest({ tenant_id: tenant, priority: 'realtime-free', mode: 'async' });
    await publisher.publish(Topics.requests, other);
    await waitFor(() => (order.includes('flaky@2') ? true : undefined), { what: 'the retry' });
    expect(order).toEqual(['flaky@1', 'other@1', 'flaky@2']);
  });

  it('item 14: x-attempt and x-retry-at from an upstream producer are ignored', async () => {
    await start();
    const forged = llmRequest({ tenant_id: 'forger', priority: 'batch', mode: 'async' });
    await publisher.send({
      topic,
      partition: 8,
      key: forged.tenant_id,
      value: JSON.stringify(forged),
      headers: { [Headers.attempt]: '7', [Headers.retryAt]: String(Date.now() + 86_400_000) },
    });
    const handled = await waitFor(() => seen.find((s) => s.requestId === forged.request_id), { what: 'the forged message handled at once' });
    expect(handled.attempt).toBe(1);
  });

  it('item 14: a batch of slow messages never costs the group membership (heartbeats while dispatching)', async () => {
    // 60 x 150 ms through one slot is 9 s of work, longer than the 6 s session: a batch that dispatched it all
    // before its next heartbeat would be thrown out of the group, and its uncommitted work re-run.
    behaviour.handle = () => new Promise((r) => setTimeout(r, 150));
    const rebalances: number[] = [];
    await start({ maxInFlight: 1, maxInFlightPerPartition: 100, onRebalancing: (at) => rebalances.push(at) });
    const tenant = tenantOn(8, 'batch');
    const reqs = Array.from({ length: 60 }, () => llmRequest({ tenant_id: tenant, priority: 'batch', mode: 'async' }));
    await Promise.all(reqs.map((r) => publisher.publish(Topics.requests, r)));
    await waitFor(() => (seen.length >= 60 ? true : undefined), { what: 'all sixty', timeoutMs: 60_000 });
    expect(new Set(seen.map((s) => s.requestId)).size).toBe(60);
    expect(seen).toHaveLength(60);
    expect(rebalances).toEqual([]);
  }, 90_000);

  it('item 18: shutdown commits what finished, hands back the rest within the bound, and leaves the group', async () => {
    const groupId = `it-stop-${randomUUID()}`;
    const tenant = tenantOn(10, 'batch');
    const reqs = Array.from({ length: 5 }, () => llmRequest({ tenant_id: tenant, priority: 'batch', mode: 'async' }));
    const stuck = reqs[4]!.request_id;
    behaviour.handle = (req) => (req.request_id === stuck ? new Promise<void>(() => undefined) : Promise.resolve());
    const m = await start({ groupId, shutdownTimeoutMs: 300 });
    for (const r of reqs) await publisher.publish(Topics.requests, r);
    await waitFor(() => (seen.length === 4 ? true : undefined), { what: 'the four quick ones' });
    await m.app.close();
    members.splice(members.indexOf(m), 1);
    expect(await committedOffset(groupId, topic, 10)).toBe(4);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0]!.members).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
