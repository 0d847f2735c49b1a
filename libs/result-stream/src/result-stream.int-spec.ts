import { randomUUID } from 'node:crypto';
import { Topics, type LlmResultV1 } from '@llm/contracts';
import { InMemoryEventPublisher } from '@llm/kafka/testing';
import { createRedis, TenantKeys, type Redis } from '@llm/redis';
import { llmResult, quietLogger, testInfra } from '@llm/testing';
import { RequestNotifications } from './request-notifications';
import { ResultPublisher } from './result.publisher';
import { ResultStreamReader, type StreamEntry } from './result-stream.reader';

const result = (tenant: string, requestId: string, content = 'done'): LlmResultV1 => llmResult({ tenant_id: tenant, request_id: requestId, priority: 'realtime-paid' }, content);

describe('result stream on real Redis', () => {
  const logger = quietLogger();
  let redis: Redis;
  let sub: Redis;
  let events: InMemoryEventPublisher;
  let publisher: ResultPublisher;
  let reader: ResultStreamReader;

  beforeAll(() => {
    redis = createRedis(testInfra().REDIS_URL, logger);
    sub = createRedis(testInfra().REDIS_URL, logger);
    reader = new ResultStreamReader(redis, new RequestNotifications(sub));
  });
  beforeEach(() => {
    events = new InMemoryEventPublisher();
    publisher = new ResultPublisher(redis, events);
  });
  afterAll(() => {
    redis.disconnect();
    sub.disconnect();
  });

  it('wakes a waiting reader with deltas then the terminal result, and records it on llm.results.v1', async () => {
    const id = randomUUID();
    const entries: StreamEntry[] = [];
    const waiting = reader.follow('acme', id, { timeoutMs: 5_000, onEntry: (e) => void entries.push(e) });
    await new Promise((r) => setTimeout(r, 50));
    await publisher.appendDelta('acme', id, { index: 0, content: 'He' });
    await publisher.appendDelta('acme', id, { index: 1, content: 'llo' });
    expect(await publisher.publish(result('acme', id, 'Hello'))).toBe(true);
    const final = await waiting;
    expect(final?.response?.choices[0]?.message.content).toBe('Hello');
    expect(entries.map((e) => e.event.type)).toEqual(['delta', 'delta', 'terminal']);
    expect(events.on(Topics.results).map((r) => r.request_id)).toEqual([id]);
  });

  it('answers a caller waiting for the outcome alone from the terminal notice, without reading the stream back', async () => {
    const id = randomUUID();
    const waiting = reader.follow('acme', id, { timeoutMs: 1_000 });
    await new Promise((r) => setTimeout(r, 50));
    // The notice alone, with no stream entry behind it: only a reader that takes the notice's result sees one.
    const notice = `terminal 1-0 ${JSON.stringify({ type: 'terminal', result: result('acme', id, 'from the notice') })}`;
    await redis.publish(new TenantKeys('acme').requestNotify(id), notice);
    expect((await waiting)?.response?.choices[0]?.message.content).toBe('from the notice');
  });

  it('resumes after a given entry id and sees a result written before it started', async () => {
    const id = randomUUID();
    const first = await publisher.appendDelta('acme', id, { index: 0, content: 'a' });
    await publisher.appendDelta('acme', id, { index: 1, content: 'b' });
    await publisher.publish(result('acme', id));
    const seen: string[] = [];
    await reader.follow('acme', id, {
      afterId: first,
      timeoutMs: 1_000,
      onEntry: ({ event }) => void seen.push(event.type === 'delta' ? event.content : 'END'),
    });
    expect(seen).toEqual(['b', 'END']);
  });

  it('lets only the first finish of a request reach the stream', async () => {
    const id = randomUUID();
    expect(await publisher.publish(result('acme', id, 'first'))).toBe(true);
    expect(await publisher.publish(result('acme', id, 'second'))).toBe(false);
    expect((await reader.terminal('acme', id))?.response?.choices[0]?.message.content).toBe('first');
  });

  it('times out without a result, and never shows one tenant the stream of another', async () => {
    const id = randomUUID();
    await publisher.publish(result('acme', id));
    expect(await reader.follow('globex', id, { timeoutMs: 150 })).toBeUndefined();
    expect(await reader.terminal('globex', id)).toBeUndefined();
    expect(await reader.terminal('acme', id)).toBeDefined();
  });

  it('does not append to the stream when the durable record could not be written', async () => {
    const id = randomUUID();
    events.failNext = new Error('broker down');
    await expect(publisher.publish(result('acme', id))).rejects.toThrow('broker down');
    expect(await reader.terminal('acme', id)).toBeUndefined();
  });
});
