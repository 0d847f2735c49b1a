import { HealthRegistry } from './health';

describe('HealthRegistry', () => {
  it('reports a failed dependency by name only, never its error text', async () => {
    const health = new HealthRegistry();
    health.register('postgres', async () => {
      throw new Error('password authentication failed for user "llm" at 10.0.0.7:5432');
    });
    health.register('redis', async () => undefined);
    const report = await health.report();
    expect(report).toEqual({ status: 'degraded', checks: { postgres: { status: 'failed' }, redis: { status: 'ok' } } });
    expect(JSON.stringify(report)).not.toContain('10.0.0.7');
  });
});
