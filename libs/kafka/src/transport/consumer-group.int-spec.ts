import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Topics, type LlmRequestV1, type Priority } from '@llm/contracts';
import { createTopics, llmRequest, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import { createKafkaClient } from '../client';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';
import { KafkaTransport } from './kafka.transport';
import type { KafkaMessageContext } from './kafka-message.context';
import { OnTopic } from './on-topic.decorator';
import { RpcPassthroughFilter } from './rpc-passthrough.filter';

interface Run {
  requestId: string;
  member: string;
  startedAt: number;
  endedAt?: number;
}

const runs: Run[] = [];
let nextMember = '';

@Controller()
class ScaleProbe {
  /** Each app builds its own controller; the member tag is taken at construction. */
  private readonly member = nextMember;

  @OnTopic(Topics.requests)
  async onRequest(req: LlmRequestV1, _ctx: KafkaMessageContext): Promise<void> {
    const run: Run = { requestId: req.request_id, member: this.member, startedAt: Date.now() };
    runs.push(run);
    // Long enough that rebalances catch calls in flight, like LLM calls.
    await new Promise((r) => setTimeout(r, 30));
    run.endedAt = Date.now();
  }
}

const cfg = testInfra();
const logger = quietLogger('kafka-scale-int');
const kafka = createKafkaClient({ brokers: cfg.KAFKA_BROKERS, clientId: 'kafka-scale-int', logger });

interface Member {
  name: string;
  app: INestMicroservice;
  transport: KafkaTransport;
  rebalances: number[];
}

describe('one consumer group scaled 1 -> 3 -> 1 while messages flow (real broker)', () => {
  const members: Member[] = [];
  afterAll(async () => {
    for (const m of members) await m.app.close();
  });

  it('handles every message, re-runs nothing that had finished before a rebalance, and leaves nothing paused or uncommitted', async () => {
    const prefix = uniquePrefix('kafka-scale');
    const topic = `${prefix}${Topics.requests}`;
    await createTopics(prefix);
    const groupId = `it-scale-${randomUUID()}`;
    const publisher = new KafkaEventPublisher(kafka, logger, prefix);
    await publisher.connect();

    const start = async (name: string): Promise<Member> => {
      const rebalances: number[] = [];
      const transport = new KafkaTransport({
        brokers: cfg.KAFKA_BROKERS,
        clientId: `kafka-scale-${name}`,
        groupId,
        topicPrefix: prefix,
        logger,
        maxInFlight: 4,
        maxInFlightPerPartition: 4,
        maxAttempts: 3,
        retryBackoffMs: 20,
        priorityPause: true,
        shutdownTimeoutMs: 5_000,
        sessionTimeoutMs: 6_000,
        onRebalancing: (at) => rebalances.push(at),
      });
      nextMember = name;
      const app = await NestFactory.createMicroservice({ module: class ScaleModule {}, controllers: [ScaleProbe] }, { strategy: transport, logger: false });
      app.useGlobalFilters(new RpcPassthroughFilter());
      await app.listen();
      const member = { name, app, transport, rebalances };
      members.push(member);
      return member;
    };
    const owned = (m: Member) => Object.values(m.transport.assigned()).reduce((n, ps) => n + ps.length, 0);
    const settled = (live: Member[]) => (live.every((m) => owned(m) > 0) && live.reduce((n, m) => n + owned(m), 0) === 12 ? true : undefined);

    const sent: string[] = [];
    const priorities: Priority[] = ['realtime-paid', 'realtime-free', 'batch'];
    const produce = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const req = llmRequest({ tenant_id: `tenant-${sent.length % 17}`, priority: priorities[sent.length % 3]!, mode: 'async' });
        sent.push(req.request_id);
        await publisher.publish(Topics.requests, req);
      }
    };

    const first = await start('m1');
    await waitFor(() => settled([first]), { what: 'm1 owning everything', timeoutMs: 30_000 });
    await produce(100);

    // Scale up while producing.
    const flowing = produce(200);
    const second = await start('m2');
    const third = await start('m3');
    await waitFor(() => settled([first, second, third]), { what: 'three members sharing the partitions', timeoutMs: 60_000 });
    await flowing;
    await waitFor(() => (new Set(runs.filter((r) => r.endedAt).map((r) => r.requestId)).size >= 250 ? true : undefined), { what: 'progress on three members', timeoutMs: 60_000 });

    // Scale down while producing.
    const flowingAgain = produce(200);
    for (const m of [second, third]) {
      await m.app.close();
      members.splice(members.indexOf(m), 1);
    }
    await waitFor(() => settled([first]), { what: 'm1 owning everything again', timeoutMs: 60_000 });
    await flowingAgain;
    await produce(50);

    const done = () => new Set(runs.filter((r) => r.endedAt).map((r) => r.requestId));
    await waitFor(() => (sent.every((id) => done().has(id)) ? true : undefined), { what: 'every message handled', timeoutMs: 90_000 });

    // Nothing stuck: every partition committed to its end, nothing left paused.
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
    expect(first.transport.pausedInKafka()).toEqual({});

    const byId = new Map<string, Run[]>();
    for (const r of runs) byId.set(r.requestId, [...(byId.get(r.requestId) ?? []), r]);
    const duplicated = [...byId.values()].filter((rs) => rs.length > 1);
    const rebalanceStarts = [first, second, third].map((m) => ({ name: m.name, at: m.rebalances }));
    // A re-run is avoidable when the first run had finished before its member learned of the rebalance that moved
    // the partition: commit-on-rebalance must have saved it.
    const avoidable = duplicated.filter(([firstRun, secondRun]) => {
      const starts = rebalanceStarts.find((m) => m.name === firstRun!.member)!.at.filter((at) => at <= secondRun!.startedAt);
      const lastStart = Math.max(...starts, -Infinity);
      return firstRun!.endedAt !== undefined && firstRun!.endedAt < lastStart;
    });
    console.log(
      `consumer group 1 -> 3 -> 1: ${sent.length} messages, ${runs.length} handler runs, ${duplicated.length} messages run twice ` +
        `(${avoidable.length} of them had finished before the rebalance), rebalances seen per member: ${rebalanceStarts.map((m) => `${m.name}=${m.at.length}`).join(' ')}`,
    );
    expect(avoidable).toEqual([]);
    expect(byId.size).toBe(sent.length);
    await publisher.disconnect();
  }, 240_000);
});
