import { randomUUID } from 'node:crypto';
import { bandOf, bandOfPartition, PRIORITIES } from './priority';
import { ALL_TOPICS, dlqTopic, TOPIC_SPECS, Topics } from './topics';

const validRequest = {
  request_id: randomUUID(),
  tenant_id: 'acme',
  priority: 'realtime-paid',
  mode: 'sync',
  created_at: new Date().toISOString(),
  body: { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
};

describe('topics', () => {
  it('has the partition counts of DESIGN.md', () => {
    expect(ALL_TOPICS).toHaveLength(11);
    for (const t of [Topics.requests, Topics.route, Topics.retrieve, Topics.inference]) {
      expect(TOPIC_SPECS[t].partitions).toBe(12);
      expect(TOPIC_SPECS[t].banded).toBe(true);
    }
    expect(TOPIC_SPECS[Topics.inbound].partitions).toBe(6);
    for (const t of [Topics.results, Topics.usage, Topics.evaluations, Topics.alerts]) expect(TOPIC_SPECS[t].partitions).toBe(6);
    expect(TOPIC_SPECS[Topics.ragIngest].partitions).toBe(3);
    expect(dlqTopic(Topics.requests)).toBe('llm.requests.v1.dlq');
  });

  it('maps priorities to bands 0-3, 4-7, 8-11', () => {
    expect(PRIORITIES.map(bandOf)).toEqual([0, 1, 2]);
    expect([0, 3, 4, 7, 8, 11].map(bandOfPartition)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('accepts a valid request and strips unknown body fields', () => {
    const parsed = TOPIC_SPECS[Topics.requests].schema.parse({
      ...validRequest,
      body: { ...validRequest.body, some_future_param: 1 },
    });
    expect(parsed.body).not.toHaveProperty('some_future_param');
  });

  it.each([
    ['a tenant id with a key separator', { tenant_id: 'acme:other' }],
    ['a non-uuid request id', { request_id: '1; DROP TABLE usage' }],
    ['an unknown priority', { priority: 'urgent' }],
    ['no messages', { body: { model: 'auto', messages: [] } }],
    ['a wrong message role', { body: { model: 'auto', messages: [{ role: 'root', content: 'x' }] } }],
    ['n > 1', { body: { model: 'auto', n: 2, messages: [{ role: 'user', content: 'x' }] } }],
  ])('rejects %s', (_name, patch) => {
    expect(TOPIC_SPECS[Topics.requests].schema.safeParse({ ...validRequest, ...patch }).success).toBe(false);
  });

  it('rejects a usage event with fractional money', () => {
    const usage = {
      request_id: randomUUID(),
      call_id: 'c1',
      attempt: 1,
      tenant_id: 'acme',
      model: 'm',
      provider: 'p',
      source: 'model',
      status: 'succeeded',
      tokens_in: 1,
      tokens_out: 1,
      cost_micros: 1.5,
      latency_ms: 3,
      occurred_at: new Date().toISOString(),
    };
    expect(TOPIC_SPECS[Topics.usage].schema.safeParse(usage).success).toBe(false);
    expect(TOPIC_SPECS[Topics.usage].schema.safeParse({ ...usage, cost_micros: 2 }).success).toBe(true);
  });
});
