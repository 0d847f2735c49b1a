import { createLogger } from '@llm/telemetry';
import { KafkaJSProtocolError, type Kafka, type Producer, type ProducerBatch } from 'kafkajs';
import { KafkaEventPublisher } from './kafka-event.publisher';

/** A producer that refuses its first `failures` batches the way the broker does once sequence numbers fell out of step. */
class ScriptedProducer {
  readonly batches: ProducerBatch[] = [];
  connected = false;
  constructor(private failures: number) {}
  connect = async () => void (this.connected = true);
  disconnect = async () => void (this.connected = false);
  sendBatch = async (batch: ProducerBatch) => {
    if (this.failures-- > 0) throw Object.assign(new KafkaJSProtocolError('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    this.batches.push(batch);
    return [];
  };
}

function publisherOver(producers: ScriptedProducer[]): KafkaEventPublisher {
  const made = [...producers];
  const kafka = { producer: () => made.shift() as unknown as Producer } as unknown as Kafka;
  return new KafkaEventPublisher(kafka, createLogger({ service: 'test', level: 'silent' }), '', 1_000);
}

const raw = (value: string) => ({ topic: 'llm.usage.v1', partition: 0, key: 't1', value, headers: {} });

describe('KafkaEventPublisher when the idempotent producer falls out of step with the broker', () => {
  it('replaces the producer and sends the batch again on the new one', async () => {
    const broken = new ScriptedProducer(Number.MAX_SAFE_INTEGER);
    const fresh = new ScriptedProducer(0);
    const publisher = publisherOver([broken, fresh]);
    await publisher.connect();

    await publisher.send(raw('a'));
    await publisher.send(raw('b'));

    expect(publisher.renewals).toBe(1);
    expect(broken.connected).toBe(false);
    expect(fresh.connected).toBe(true);
    expect(fresh.batches.flatMap((b) => b.topicMessages!.flatMap((t) => t.messages.map((m) => m.value)))).toEqual(['a', 'b']);
  });

  it('fails the publish when the new producer is refused too, and is not stuck on that producer afterwards', async () => {
    const third = new ScriptedProducer(0);
    const publisher = publisherOver([new ScriptedProducer(1), new ScriptedProducer(Number.MAX_SAFE_INTEGER), third]);
    await publisher.connect();

    await expect(publisher.send(raw('a'))).rejects.toMatchObject({ code: 'PUBLISH_FAILED' });
    await publisher.send(raw('b'));
    expect(publisher.renewals).toBe(2);
    expect(third.batches).toHaveLength(1);
  });
});
