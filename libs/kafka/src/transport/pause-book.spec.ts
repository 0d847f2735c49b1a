import { Topics } from '@llm/contracts';
import { quietLogger } from '@llm/testing';
import type { Consumer, TopicPartitions } from 'kafkajs';
import { PartitionState } from '../consumer/partition-state';
import { PrioritySemaphore } from '../consumer/priority-semaphore';
import { PauseBook } from './pause-book';
import { applyPriorityPause } from './priority-pauser';

/** kafkajs's pause set as far as these tests need it; `broken` mimics a consumer in the middle of a restart. */
class FakeConsumer implements Pick<Consumer, 'pause' | 'resume'> {
  readonly paused = new Set<string>();
  broken = false;

  pause(tps: TopicPartitions[]): void {
    if (this.broken) throw new Error('Consumer group was not initialized, consumer#run must be called first');
    for (const { topic, partitions } of tps) for (const p of partitions) this.paused.add(`${topic}:${p}`);
  }

  resume(tps: TopicPartitions[]): void {
    if (this.broken) throw new Error('Consumer group was not initialized, consumer#run must be called first');
    for (const { topic, partitions } of tps) for (const p of partitions) this.paused.delete(`${topic}:${p}`);
  }
}

const logger = quietLogger('pause-book');
const requests = (p: number) => new PartitionState('req', Topics.requests, p, Math.floor(p / 4));

describe('PauseBook', () => {
  it('never throws while kafkajs restarts, and the next group join puts kafkajs back in line', () => {
    const consumer = new FakeConsumer();
    const book = new PauseBook(() => consumer, logger);
    const s = requests(8);
    consumer.broken = true;
    expect(() => book.add(s, 'priority')).not.toThrow();
    expect(consumer.paused.size).toBe(0);
    consumer.broken = false;
    book.resync([s], []);
    expect([...consumer.paused]).toEqual(['req:8']);
  });

  it('resumes a revoked partition inside kafkajs, so it is fetched when it comes back', () => {
    const consumer = new FakeConsumer();
    const book = new PauseBook(() => consumer, logger);
    const s = requests(9);
    book.add(s, 'priority');
    s.revoke();
    book.resync([], [s]);
    expect(consumer.paused.size).toBe(0);
  });

  it('keeps a partition paused until its last reason is gone', () => {
    const consumer = new FakeConsumer();
    const book = new PauseBook(() => consumer, logger);
    const s = requests(1);
    book.add(s, 'capacity');
    book.add(s, 'forwarding');
    book.remove(s, 'capacity');
    expect([...consumer.paused]).toEqual(['req:1']);
    book.remove(s, 'forwarding');
    expect(consumer.paused.size).toBe(0);
  });
});

describe('applyPriorityPause', () => {
  const setup = () => {
    const consumer = new FakeConsumer();
    const book = new PauseBook(() => consumer, logger);
    const states = Array.from({ length: 12 }, (_, p) => requests(p));
    return { consumer, book, states };
  };

  it("counts waiters per topic: another topic's band-0 backlog never pauses this topic's lower bands", async () => {
    const { consumer, book, states } = setup();
    const slots = new PrioritySemaphore(1, 3);
    await slots.acquire({ band: 0, topic: 'results', tenant: 'x' });
    void slots.acquire({ band: 0, topic: 'results', tenant: 'x' });
    applyPriorityPause(states, slots, book, () => undefined);
    expect(consumer.paused.size).toBe(0);
    slots.abortWaiters();
  });

  it('pauses lower bands only while no slot is idle', async () => {
    const { consumer, book, states } = setup();
    states[0]!.highWatermark = 10;
    states[0]!.position = 5;
    const slots = new PrioritySemaphore(2, 3);
    await slots.acquire({ band: 2, topic: 'req', tenant: 'x' });
    applyPriorityPause(states, slots, book, () => undefined);
    expect(consumer.paused.size).toBe(0);
    await slots.acquire({ band: 2, topic: 'req', tenant: 'x' });
    applyPriorityPause(states, slots, book, () => undefined);
    expect([...consumer.paused].sort()).toEqual(
      states
        .slice(4)
        .map((s) => `req:${s.partition}`)
        .sort(),
    );
  });
});
