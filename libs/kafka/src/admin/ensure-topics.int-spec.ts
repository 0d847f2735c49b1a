import { ALL_TOPICS, Topics } from '@llm/contracts';
import { quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { createKafkaClient } from '../client';
import { KafkaError } from '../kafka.errors';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';
import { ensureTopics, MAX_MESSAGE_BYTES, plannedTopics } from './ensure-topics';

const logger = quietLogger('ensure-topics-int');
const kafka = createKafkaClient({ brokers: testInfra().KAFKA_BROKERS, clientId: 'ensure-topics-int', logger });

async function topicConfig(topic: string): Promise<Record<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes', 'min.insync.replicas'] }],
    });
    return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  } finally {
    await admin.disconnect();
  }
}

describe('topic durability on the real broker', () => {
  it('creates topics with max.message.bytes and min.insync.replicas, and applies them to existing topics', async () => {
    const prefix = uniquePrefix('topics');
    const plan = plannedTopics(prefix);
    // An existing topic created without the configs (as before this change) gets them on the next run.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: `${prefix}${Topics.results}`, numPartitions: 6, replicationFactor: 1 }] });
    await admin.disconnect();

    const { created } = await ensureTopics(kafka, plan, { replicationFactor: 1, minInsyncReplicas: 1 });
    expect(created).toHaveLength(ALL_TOPICS.length * 2 - 1);
    const wanted = { 'max.message.bytes': String(MAX_MESSAGE_BYTES), 'min.insync.replicas': '1' };
    for (const topic of [`${prefix}${Topics.requests}`, `${prefix}${Topics.requests}.dlq`]) expect(await topicConfig(topic)).toEqual(wanted);
    // A config change reaches the broker through the KRaft metadata log, so it shows up shortly after.
    const existing = `${prefix}${Topics.results}`;
    await waitFor(async () => (JSON.stringify(await topicConfig(existing)) === JSON.stringify(wanted) ? true : undefined), { what: `configs applied to ${existing}` });
  });

  it("keeps a topic's own settings (an operator's retention.ms) when it applies its configs again", async () => {
    const prefix = uniquePrefix('topics-keep');
    const plan = plannedTopics(prefix);
    await ensureTopics(kafka, plan, { replicationFactor: 1, minInsyncReplicas: 1 });
    const topic = `${prefix}${Topics.usage}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [
              { name: 'retention.ms', value: '3600000' },
              { name: 'max.message.bytes', value: '1048576' },
            ],
          },
        ],
      });
      const retention = async () =>
        (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] })).resources[0]!
          .configEntries[0]!.configValue;
      await waitFor(async () => ((await topicConfig(topic))['max.message.bytes'] === '1048576' ? true : undefined), { what: 'the operator change applied' });
      await ensureTopics(kafka, plan, { replicationFactor: 1, minInsyncReplicas: 1 });
      await waitFor(async () => ((await topicConfig(topic))['max.message.bytes'] === String(MAX_MESSAGE_BYTES) ? true : undefined), { what: 'our config restored' });
      expect(await retention()).toBe('3600000');
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses min.insync.replicas above the replication factor', async () => {
    await expect(ensureTopics(kafka, [], { replicationFactor: 1, minInsyncReplicas: 2 })).rejects.toThrow(/exceeds the replication factor/);
  });
});

describe('publish delivery timeout on the real broker', () => {
  it('bounds a publish the idempotent producer keeps retrying and reports PUBLISH_TIMEOUT (outcome unknown)', async () => {
    const publisher = new KafkaEventPublisher(kafka, logger, uniquePrefix('missing'), 1_000);
    await publisher.connect();
    try {
      // The topic does not exist and is never auto-created: the producer retries until the caller's bound.
      const error = await publisher.send({ topic: `${uniquePrefix('missing')}nowhere`, key: 'k', value: 'v', headers: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaError);
      expect(error).toMatchObject({ code: 'PUBLISH_TIMEOUT', retryable: true });
    } finally {
      await publisher.disconnect();
    }
  });
});
