import { ALL_TOPICS, DLQ_PARTITIONS, dlqTopic, TOPIC_SPECS } from '@llm/contracts';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';

/**
 * Largest message a topic accepts (`max.message.bytes`). Ingress keeps its body limit well below it, since
 * a request event carries the body plus its envelope and headers.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface TopicPlan {
  topic: string;
  partitions: number;
}

/**
 * How durable topics are. One broker (dev, tests): 1 and 1. Production with three or more brokers:
 * replication factor 3 and min.insync.replicas 2, so an acks=all write survives the loss of one broker and
 * is refused (not silently under-replicated) when two are gone. Settings KAFKA_REPLICATION_FACTOR and
 * KAFKA_MIN_INSYNC_REPLICAS.
 */
export interface TopicDurability {
  replicationFactor: number;
  minInsyncReplicas: number;
}

export const SINGLE_BROKER: TopicDurability = { replicationFactor: 1, minInsyncReplicas: 1 };

/** Every topic of DESIGN.md with its partition count, plus one `.dlq` topic per topic. */
export function plannedTopics(prefix = ''): TopicPlan[] {
  return ALL_TOPICS.flatMap((t) => [
    { topic: `${prefix}${t}`, partitions: TOPIC_SPECS[t].partitions },
    { topic: dlqTopic(`${prefix}${t}`), partitions: DLQ_PARTITIONS },
  ]);
}

function topicConfig(durability: TopicDurability): Array<{ name: string; value: string }> {
  return [
    { name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) },
    { name: 'min.insync.replicas', value: String(durability.minInsyncReplicas) },
  ];
}

/**
 * Creates missing topics, grows partition counts that are too small (Kafka cannot shrink them) and applies
 * the topic configs to existing topics. Safe to run on every start. The replication factor of an existing
 * topic is not changed here (that is a partition reassignment, an operator's job).
 */
export async function ensureTopics(kafka: Kafka, plan: readonly TopicPlan[], durability: TopicDurability): Promise<{ created: string[]; grown: string[] }> {
  if (durability.minInsyncReplicas > durability.replicationFactor) {
    throw new RangeError(`min.insync.replicas ${durability.minInsyncReplicas} exceeds the replication factor ${durability.replicationFactor}: every write would fail`);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = plan.filter((p) => !existing.has(p.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((p) => ({ topic: p.topic, numPartitions: p.partitions, replicationFactor: durability.replicationFactor, configEntries: topicConfig(durability) })),
      });
      await waitForLeaders(admin, missing);
    }
    const present = plan.filter((p) => existing.has(p.topic));
    const grown: string[] = [];
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((p) => p.topic) });
      const toGrow = present.filter((p) => (meta.topics.find((t) => t.name === p.topic)?.partitions.length ?? 0) < p.partitions);
      if (toGrow.length > 0) {
        await admin.createPartitions({ topicPartitions: toGrow.map((p) => ({ topic: p.topic, count: p.partitions })) });
        grown.push(...toGrow.map((p) => p.topic));
      }
      await applyConfigs(
        admin,
        present.map((p) => p.topic),
        topicConfig(durability),
      );
    }
    return { created: missing.map((p) => p.topic), grown };
  } finally {
    await admin.disconnect();
  }
}

/** Where a config value was set (Kafka's DescribeConfigs config source): on the topic itself. */
const TOPIC_CONFIG_SOURCE = 1;

/**
 * Sets the wanted configs on existing topics that differ. kafkajs only has the non-incremental AlterConfigs,
 * which resets every setting it is not given to the broker default, so the topic's own settings (an
 * operator's retention.ms, say) are read first and sent back alongside ours.
 */
async function applyConfigs(admin: Admin, topics: readonly string[], wanted: ReadonlyArray<{ name: string; value: string }>): Promise<void> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  const changes = resources.flatMap((resource) => {
    const own = new Map(resource.configEntries.filter((e) => e.configSource === TOPIC_CONFIG_SOURCE).map((e) => [e.configName, e.configValue]));
    if (wanted.every((w) => own.get(w.name) === w.value)) return [];
    for (const w of wanted) own.set(w.name, w.value);
    return [{ type: ConfigResourceTypes.TOPIC, name: resource.resourceName, configEntries: [...own].map(([name, value]) => ({ name, value })) }];
  });
  if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
}

/**
 * kafkajs's own waitForLeaders gives up at once when a fresh topic is not in the metadata yet ("does not
 * host this topic-partition"), which a busy controller makes common; this polls until every partition has
 * a leader.
 */
async function waitForLeaders(admin: Admin, plan: readonly TopicPlan[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: plan.map((p) => p.topic) });
      const ready = plan.every((p) => {
        const topic = meta.topics.find((t) => t.name === p.topic);
        return topic !== undefined && topic.partitions.length >= p.partitions && topic.partitions.every((part) => part.leader >= 0);
      });
      if (ready) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leaders after ${timeoutMs} ms: ${plan.map((p) => p.topic).join(', ')}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
