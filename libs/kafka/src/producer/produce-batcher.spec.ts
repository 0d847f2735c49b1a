import { ProduceBatcher } from './produce-batcher';

/** A producer whose requests the test completes by hand, recording what each request carried. */
function manualProducer() {
  const requests: { messages: string[]; settle: (err?: unknown) => void }[] = [];
  const send = (messages: string[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push({ messages, settle: (err) => (err === undefined ? resolve() : reject(err)) });
    });
  return { requests, send };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProduceBatcher', () => {
  it('sends the publishes of one tick together, and those made during a request in the next one', async () => {
    const producer = manualProducer();
    const batcher = new ProduceBatcher(producer.send, { maxMessages: 100, maxBytes: 1_000 });
    const first = [batcher.send('a', 1), batcher.send('b', 1)];
    await tick();
    expect(producer.requests.map((r) => r.messages)).toEqual([['a', 'b']]);

    const second = [batcher.send('c', 1), batcher.send('d', 1), batcher.send('e', 1)];
    await tick();
    // One request in flight at a time: c, d, e wait for a and b to be acknowledged.
    expect(producer.requests).toHaveLength(1);
    producer.requests[0]!.settle();
    await Promise.all(first);
    await tick();
    expect(producer.requests.map((r) => r.messages)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    producer.requests[1]!.settle();
    await Promise.all(second);
  });

  it('does not acknowledge a message before its own request is acknowledged', async () => {
    const producer = manualProducer();
    const batcher = new ProduceBatcher(producer.send, { maxMessages: 100, maxBytes: 1_000 });
    let acked = false;
    void batcher.send('a', 1).then(() => (acked = true));
    await tick();
    await tick();
    expect(acked).toBe(false);
    producer.requests[0]!.settle();
    await tick();
    expect(acked).toBe(true);
  });

  it('fails every caller of a failed request and goes on with the next one', async () => {
    const producer = manualProducer();
    const batcher = new ProduceBatcher(producer.send, { maxMessages: 100, maxBytes: 1_000 });
    const failed = [batcher.send('a', 1), batcher.send('b', 1)];
    await tick();
    const later = batcher.send('c', 1);
    producer.requests[0]!.settle(new Error('broker down'));
    await expect(failed[0]).rejects.toThrow('broker down');
    await expect(failed[1]).rejects.toThrow('broker down');
    await tick();
    producer.requests[1]!.settle();
    await expect(later).resolves.toBeUndefined();
  });

  it('splits a backlog by message count and by bytes, and still sends an oversized message alone', async () => {
    const producer = manualProducer();
    const batcher = new ProduceBatcher(producer.send, { maxMessages: 2, maxBytes: 10 });
    const all = [batcher.send('a', 4), batcher.send('b', 4), batcher.send('c', 4), batcher.send('d', 8), batcher.send('huge', 50), batcher.send('e', 1)];
    for (let i = 0; i < 5; i++) {
      await tick();
      producer.requests.at(-1)?.settle();
    }
    await Promise.all(all);
    expect(producer.requests.map((r) => r.messages)).toEqual([['a', 'b'], ['c'], ['d'], ['huge'], ['e']]);
    expect(batcher.queued).toBe(0);
  });
});
