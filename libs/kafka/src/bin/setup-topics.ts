import { kafkaSchema, loadConfig } from '@llm/config';
import { createLogger } from '@llm/telemetry';
import { ensureTopics, plannedTopics } from '../admin/ensure-topics';
import { createKafkaClient, kafkaSecurity } from '../client';

/** `node dist/libs/kafka/src/bin/setup-topics.js`: creates every topic of DESIGN.md (idempotent). */
async function main(): Promise<void> {
  const config = loadConfig(kafkaSchema);
  const logger = createLogger({ service: 'setup-topics', level: 'warn' });
  const kafka = createKafkaClient({ ...kafkaSecurity(config), brokers: config.KAFKA_BROKERS, clientId: 'setup-topics', logger });
  const plan = plannedTopics(config.KAFKA_TOPIC_PREFIX);
  const { created, grown } = await ensureTopics(kafka, plan, { replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS });
  console.log(`[setup-topics] ${plan.length} topics: ${created.length} created, ${grown.length} grown, ${plan.length - created.length - grown.length} unchanged`);
}

main().catch((err: unknown) => {
  console.error('[setup-topics] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
