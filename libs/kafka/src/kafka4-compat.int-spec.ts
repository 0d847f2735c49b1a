import { randomUUID } from 'node:crypto';
import { createTopics, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import type { KafkaMessage } from 'kafkajs';
import { createKafkaClient } from './client';

/**
 * Kafka 4 removed old protocol versions (KIP-896). This proves the kafkajs calls the platform relies on still
 * work against the broker `make test` runs: admin, idempotent produce, transactions (commit and abort, seen
 * by a read-committed consumer), consumer groups and manual commits.
 */
describe('kafkajs against the Kafka 4 broker', () => {
  const kafka = createKafkaClient({ brokers: testInfra().KAFKA_BROKERS, clientId: 'compat', logger: quietLogger() });
  let topic: string;

  beforeAll(async () => {
    const prefix = uniquePrefix('compat');
    await createTopics(prefix);
    topic = `${prefix}llm.results.v1`;
  });

  it('answers admin calls', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThan(0);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]!.partitions).toHaveLength(6);
    } finally {
      await admin.disconnect();
    }
  });

  it('commits and aborts transactions; a read-committed group sees only the committed messages and commits its offsets', async () => {
    const producer = kafka.producer({ transactionalId: `compat-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'k', value: 'committed', partition: 0 }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted', partition: 0 }] });
    await aborted.abort();
    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await plain.send({ topic, acks: -1, messages: [{ key: 'k', value: 'idempotent', partition: 0 }] });

    const groupId = `compat-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, readUncommitted: false });
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.push(message);
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    try {
      await waitFor(() => (seen.length >= 2 ? true : undefined), { what: 'two visible messages' });
      expect(seen.map((m) => m.value!.toString())).toEqual(['committed', 'idempotent']);
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await waitFor(
        async () => {
          const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const p0 = t!.partitions.find((p) => p.partition === 0)!;
          // The group's committed position is one past the last message it saw.
          return Number(p0.offset) > Number(seen.at(-1)!.offset) ? p0 : undefined;
        },
        { what: 'the committed offset' },
      );
      await admin.disconnect();
      expect(Number(offsets.offset)).toBe(Number(seen.at(-1)!.offset) + 1);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await plain.disconnect();
    }
  });
});
