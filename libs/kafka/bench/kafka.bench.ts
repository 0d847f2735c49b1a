/**
 * `npm run bench:kafka` (or `make bench-kafka`): produce and consume throughput and end-to-end latency
 * through libs/kafka on the real broker (KAFKA_BROKERS). Runs on its own topic prefix, so it never touches
 * the platform's topics. Settings: BENCH_MESSAGES (default 5000), BENCH_LATENCY_MESSAGES (default 500),
 * BENCH_MAX_IN_FLIGHT (default 32).
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { kafkaSchema, loadConfig, positiveInt } from '@llm/config';
import { Topics, type LlmRequestV1, type Priority } from '@llm/contracts';
import { createLogger } from '@llm/telemetry';
import { z } from 'zod';
import { ensureTopics, plannedTopics, SINGLE_BROKER } from '../src/admin/ensure-topics';
import { createKafkaClient } from '../src/client';
import { KafkaEventPublisher } from '../src/producer/kafka-event.publisher';
import { KafkaTransport } from '../src/transport/kafka.transport';
import { OnTopic } from '../src/transport/on-topic.decorator';
import { RpcPassthroughFilter } from '../src/transport/rpc-passthrough.filter';

const config = loadConfig(
  kafkaSchema.extend({
    BENCH_MESSAGES: positiveInt(5_000),
    BENCH_LATENCY_MESSAGES: positiveInt(500),
    BENCH_MAX_IN_FLIGHT: positiveInt(32),
    BENCH_PAYLOAD_CHARS: z.coerce.number().int().min(1).default(400),
  }),
);
const logger = createLogger({ service: 'bench-kafka', level: 'error' });
const prefix = `bench-${randomBytes(4).toString('hex')}.`;

const received = new Map<string, number>();
let onReceive: () => void = () => undefined;

@Controller()
class BenchConsumer {
  @OnTopic(Topics.requests)
  async onRequest(req: LlmRequestV1): Promise<void> {
    received.set(req.request_id, performance.now());
    onReceive();
  }
}

function request(i: number, text: string): LlmRequestV1 {
  const priority: Priority = i % 10 === 0 ? 'realtime-paid' : i % 3 === 0 ? 'realtime-free' : 'batch';
  return {
    request_id: randomUUID(),
    tenant_id: `tenant-${i % 50}`,
    priority,
    mode: 'async',
    created_at: new Date().toISOString(),
    body: { model: 'auto', messages: [{ role: 'user', content: text }] },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function waitForCount(n: number, timeoutMs: number): Promise<void> {
  if (received.size >= n) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${received.size} of ${n} messages consumed in ${timeoutMs} ms`)), timeoutMs);
    onReceive = () => {
      if (received.size >= n) {
        clearTimeout(timer);
        resolve();
      }
    };
  });
}

async function main(): Promise<void> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'bench', logger });
  await ensureTopics(kafka, plannedTopics(prefix), SINGLE_BROKER);
  const publisher = new KafkaEventPublisher(kafka, logger, prefix);
  await publisher.connect();
  const text = 'x'.repeat(config.BENCH_PAYLOAD_CHARS);
  const n = config.BENCH_MESSAGES;
  console.log(`bench:kafka  broker ${config.KAFKA_BROKERS.join(',')}  messages ${n}  payload ~${config.BENCH_PAYLOAD_CHARS + 250} B  max in flight ${config.BENCH_MAX_IN_FLIGHT}`);

  // 1. Produce throughput: idempotent producer, acks=all, 64 publishes in flight at a time.
  const batch = Array.from({ length: n }, (_, i) => request(i, text));
  let t0 = performance.now();
  for (let i = 0; i < n; i += 64) await Promise.all(batch.slice(i, i + 64).map((r) => publisher.publish(Topics.requests, r)));
  const produceS = (performance.now() - t0) / 1000;
  console.log(`produce      ${Math.round(n / produceS)} msg/s  (${n} messages in ${produceS.toFixed(2)} s, validated, acks=all)`);

  // 2. Consume throughput: a consumer group starting on the backlog, through the Nest transport.
  const app = await NestFactory.createMicroservice(
    { module: class BenchModule {}, controllers: [BenchConsumer] },
    {
      strategy: new KafkaTransport({
        brokers: config.KAFKA_BROKERS,
        clientId: 'bench',
        groupId: `bench-${randomUUID()}`,
        topicPrefix: prefix,
        logger,
        maxInFlight: config.BENCH_MAX_IN_FLIGHT,
        maxInFlightPerPartition: config.BENCH_MAX_IN_FLIGHT,
        maxAttempts: 3,
        retryBackoffMs: 100,
        priorityPause: true,
        shutdownTimeoutMs: 5_000,
      }),
      logger: false,
    },
  );
  app.useGlobalFilters(new RpcPassthroughFilter());
  t0 = performance.now();
  await app.listen();
  await waitForCount(n, 120_000);
  const consumeS = (performance.now() - t0) / 1000;
  console.log(`consume      ${Math.round(n / consumeS)} msg/s  (${n} messages in ${consumeS.toFixed(2)} s, incl. group join; validated, committed)`);

  // 3. End-to-end latency: one message at a time through an idle, joined consumer.
  const latencies: number[] = [];
  for (let i = 0; i < config.BENCH_LATENCY_MESSAGES; i++) {
    const r = request(i, text);
    const sent = performance.now();
    await publisher.publish(Topics.requests, r);
    await waitForCount(n + i + 1, 10_000);
    latencies.push(received.get(r.request_id)! - sent);
  }
  latencies.sort((a, b) => a - b);
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `end-to-end   p50 ${fmt(percentile(latencies, 50))}  p95 ${fmt(percentile(latencies, 95))}  p99 ${fmt(percentile(latencies, 99))}  max ${fmt(latencies.at(-1)!)}  (${latencies.length} sequential messages, publish → handler)`,
  );

  await app.close();
  await publisher.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: plannedTopics(prefix).map((t) => t.topic) }).catch(() => undefined);
  await admin.disconnect();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench:kafka failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
