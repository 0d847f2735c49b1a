import { randomUUID } from 'node:crypto';
import { Topics } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { createLogger } from '@llm/telemetry';
import { fixedRateSchedule } from '../load/schedule';
import { runOpenLoop, type RunOutcome } from '../load/runners';
import type { Sample, TargetClient } from '../load/target';
import { percentiles, type Percentiles } from '../report/stats';

export interface PriorityResult {
  paidRate: number;
  flood: number;
  unloaded: Percentiles & { n: number; errors: number };
  duringFlood: Percentiles & { n: number; errors: number };
  /** during-flood p99 / unloaded p99; the target is at most 2. */
  p99Ratio: number;
  floodPublishS: number;
  /** Publishes that failed or timed out (outcome unknown: the event may still have been kept). */
  publishFailed: number;
  floodDrainS: number;
  /** Flood requests with a result on llm.results.v1, by status; `lost` had none when the bench stopped waiting. */
  resultsByStatus: Record<string, number>;
  lost: number;
}

const PUBLISH_CONCURRENCY = 64;

export interface PriorityOptions {
  brokers: string[];
  topicPrefix: string;
  freeTenant: string;
  flood: number;
  paidRate: number;
  unloadedS: number;
  /** Longest the bench waits for the flood's results before counting the rest as lost. */
  drainTimeoutS: number;
}

/**
 * Issue 7 item 4: paid realtime HTTP requests at a steady rate, first alone, then while a flood of `batch` events
 * for the free tenant arrives on llm.inbound.v1 (published as an upstream system does, through @llm/kafka).
 * The paid traffic keeps flowing until every flood request has a result on llm.results.v1 (or the wait ends).
 */
export async function runPriorityScenario(paid: TargetClient, o: PriorityOptions): Promise<PriorityResult> {
  const logger = createLogger({ service: 'bench-pipeline', level: 'error' });
  const kafka = createKafkaClient({ brokers: o.brokers, clientId: 'bench-pipeline', logger });
  const unloaded = await runOpenLoop(paid, fixedRateSchedule(o.paidRate, o.unloadedS));

  const ids = new Set(Array.from({ length: o.flood }, () => `bench-flood-${randomUUID()}`));
  const statusById = new Map<string, string>();
  const consumer = kafka.consumer({ groupId: `bench-pipeline-${randomUUID()}` });
  // Paid traffic through the whole flood: its samples are the ones sent from the flood's start until it drained.
  let floodOver = false;
  let paidLoop: Promise<RunOutcome> | undefined;
  let floodPublishS = 0;
  let floodDrainS = 0;
  let publishFailed = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: `${o.topicPrefix}${Topics.results}`, fromBeginning: false });
    let joined!: () => void;
    const hasJoined = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    let allIn!: () => void;
    const allResults = new Promise<void>((r) => (allIn = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const r = JSON.parse(message.value?.toString() ?? '{}') as { tenant_id?: string; upstream_id?: string; status?: string };
        if (r.tenant_id !== o.freeTenant || !r.upstream_id || !ids.has(r.upstream_id) || statusById.has(r.upstream_id)) return;
        statusById.set(r.upstream_id, r.status ?? 'unknown');
        if (statusById.size === ids.size) allIn();
      },
    });
    await hasJoined;

    paidLoop = runOpenLoop(paid, fixedRateSchedule(o.paidRate, o.drainTimeoutS + 60), () => floodOver);
    const floodStart = performance.now();
    publishFailed = await publishFlood(kafka, logger, o, [...ids]);
    floodPublishS = (performance.now() - floodStart) / 1000;
    await Promise.race([allResults, new Promise((r) => setTimeout(r, o.drainTimeoutS * 1000))]);
    floodDrainS = (performance.now() - floodStart) / 1000;
  } finally {
    floodOver = true;
    await consumer.disconnect().catch(() => undefined);
  }
  const duringSamples = (await paidLoop).samples;

  const resultsByStatus: Record<string, number> = {};
  for (const s of statusById.values()) resultsByStatus[s] = (resultsByStatus[s] ?? 0) + 1;
  const describe = (samples: readonly Sample[]) => ({
    ...percentiles(samples.filter((s) => s.ok).map((s) => s.latencyMs)),
    n: samples.length,
    errors: samples.filter((s) => !s.ok).length,
  });
  const before = describe(unloaded.samples);
  const during = describe(duringSamples);
  return {
    paidRate: o.paidRate,
    flood: o.flood,
    unloaded: before,
    duringFlood: during,
    p99Ratio: during.p99 / before.p99,
    floodPublishS,
    publishFailed,
    floodDrainS,
    resultsByStatus,
    lost: ids.size - statusById.size,
  };
}

/** Publishes the flood as an upstream would; returns how many publishes failed (outcome unknown). */
async function publishFlood(kafka: ReturnType<typeof createKafkaClient>, logger: ReturnType<typeof createLogger>, o: PriorityOptions, ids: string[]): Promise<number> {
  const publisher = new KafkaEventPublisher(kafka, logger, o.topicPrefix);
  await publisher.connect();
  let failed = 0;
  let n = 0;
  try {
    // A bounded number in flight: all 3,000 at once would queue behind each other in the producer and time out.
    await Promise.all(
      Array.from({ length: PUBLISH_CONCURRENCY }, async () => {
        for (let id = ids.shift(); id !== undefined; id = ids.shift()) {
          const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: `bench flood ${n++} ${randomUUID()}` }], max_tokens: 64 };
          try {
            await publisher.publish(Topics.inbound, { request_id: id, tenant_id: o.freeTenant, priority: 'batch', body });
          } catch {
            failed++; // outcome unknown: the broker may have kept it, so a result may still arrive
          }
        }
      }),
    );
  } finally {
    await publisher.disconnect();
  }
  return failed;
}
