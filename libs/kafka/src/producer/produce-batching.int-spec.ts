import { randomUUID } from 'node:crypto';
import { Topics, type TopicInput, type UsageV1 } from '@llm/contracts';
import { createTopics, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import { createKafkaClient } from '../client';
import { KafkaEventPublisher } from './kafka-event.publisher';

function usage(tenant: string, i: number): TopicInput<typeof Topics.usage> {
  return {
    request_id: randomUUID(),
    call_id: 'c1',
    attempt: 1,
    tenant_id: tenant,
    model: 'sim-small',
    provider: 'sim',
    source: 'model',
    status: 'succeeded',
    tokens_in: i,
    tokens_out: 1,
    cost_micros: 0,
    latency_ms: 1,
    occurred_at: new Date().toISOString(),
  };
}

/**
 * Concurrent publishes share produce requests on the real broker, and batching keeps what callers rely on:
 * each message stored once, in publish order per key.
 */
describe('KafkaEventPublisher batching', () => {
  const kafka = createKafkaClient({ brokers: testInfra().KAFKA_BROKERS, clientId: 'batching', logger: quietLogger() });
  let prefix: string;

  beforeAll(async () => {
    prefix = uniquePrefix('batching');
    await createTopics(prefix);
  });

  it('sends 500 concurrent publishes in far fewer requests, each stored once and in order per key', async () => {
    const prefixed = new KafkaEventPublisher(kafka, quietLogger(), prefix);
    await prefixed.connect();
    const tenant = `t-${randomUUID()}`;
    const events = Array.from({ length: 500 }, (_, i) => usage(tenant, i + 1));
    await Promise.all(events.map((e) => prefixed.publish(Topics.usage, e)));
    const { requests, messages } = prefixed.produced;
    expect(messages).toBe(500);
    expect(requests).toBeLessThan(50);

    const consumer = kafka.consumer({ groupId: `batching-${randomUUID()}` });
    const seen: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${Topics.usage}`, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push((JSON.parse(message.value!.toString()) as UsageV1).tokens_in) });
    try {
      await waitFor(() => (seen.length >= 500 ? true : undefined), { what: '500 usage events' });
      // One tenant key → one partition: the order of publishes is the order stored.
      expect(seen).toEqual(events.map((e) => e.tokens_in));
    } finally {
      await consumer.disconnect();
      await prefixed.disconnect();
    }
  });
});
