import { randomUUID } from 'node:crypto';
import { Topics } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { createLogger } from '@llm/telemetry';
import { fixedRateSchedule } from '../load/schedule';
import { runOpenLoop } from '../load/runners';
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
  floodDrainS: number;
  /** Flood requests with a result on llm.results.v1, by status; `lost` had none when the bench stopped waiting. */
  resultsByStatus: Record<string, number>;
  lost: number;
}

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

  // Paid traffic through the whole flood: its samples are the ones sent from the flood's start until it drained.
  let floodOver = false;
  const paidLoop = runOpenLoop(paid, fixedRateSchedule(o.paidRate, o.drainTimeoutS + 60), () => floodOver);

  const floodStart = performance.now();
  const publisher = new KafkaEventPublisher(kafka, logger, o.topicPrefix);
  await publisher.connect();
  const body = (i: number) => ({ model: 'sim-small', messages: [{ role: 'user' as const, content: `bench flood ${i} ${randomUUID()}` }], max_tokens: 64 });
  let i = 0;
  const pending: Promise<void>[] = [];
  for (const id of ids) pending.push(publisher.publish(Topics.inbound, { request_id: id, tenant_id: o.freeTenant, priority: 'batch', body: body(i++) }));
  await Promise.all(pending);
  const floodPublishS = (performance.now() - floodStart) / 1000;
  await publisher.disconnect();

  await Promise.race([allResults, new Promise((r) => setTimeout(r, o.drainTimeoutS * 1000))]);
  const floodDrainS = (performance.now() - floodStart) / 1000;
  floodOver = true;
  const duringSamples = (await paidLoop).samples;
  await consumer.disconnect();

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
    floodDrainS,
    resultsByStatus,
    lost: ids.size - statusById.size,
  };
}
