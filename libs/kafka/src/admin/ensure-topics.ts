import { ALL_TOPICS, DLQ_PARTITIONS, dlqTopic, TOPIC_SPECS } from '@llm/contracts';
import type { Kafka } from 'kafkajs';

export interface TopicPlan {
  topic: string;
  partitions: number;
}

/** Every topic of DESIGN.md with its partition count, plus one `.dlq` topic per topic. */
export function plannedTopics(prefix = ''): TopicPlan[] {
  return ALL_TOPICS.flatMap((t) => [
    { topic: `${prefix}${t}`, partitions: TOPIC_SPECS[t].partitions },
    { topic: dlqTopic(`${prefix}${t}`), partitions: DLQ_PARTITIONS },
  ]);
}

/**
 * Creates missing topics and grows partition counts that are too small (Kafka cannot shrink them). Safe to
 * run on every start.
 */
export async function ensureTopics(kafka: Kafka, plan: readonly TopicPlan[]): Promise<{ created: string[]; grown: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = plan.filter((p) => !existing.has(p.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((p) => ({ topic: p.topic, numPartitions: p.partitions, replicationFactor: 1 })),
      });
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
    }
    return { created: missing.map((p) => p.topic), grown };
  } finally {
    await admin.disconnect();
  }
}
