import Redis from 'ioredis';
import { RequestStatusRepository } from './request-status.repository';

describe('RequestStatusRepository', () => {
  // A client of a Redis that is not there: every command fails at once, as during an outage.
  const deadRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  afterAll(() => deadRedis.disconnect());

  it('turns a Redis failure into a retryable UNAVAILABLE with a retry hint', async () => {
    const repository = new RequestStatusRepository(deadRedis, { STATUS_TTL_S: 60 });
    await expect(repository.find('acme', 'r1')).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true, retryAfterS: 1 });
    await expect(repository.saveAccepted('acme', 'r1', 'sync', new Date().toISOString())).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });
});
