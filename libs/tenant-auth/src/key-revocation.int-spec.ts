import { randomUUID } from 'node:crypto';
import { createPrismaClient, hashApiKey, migrate, seedTenant, type PrismaClient } from '@llm/db';
import { API_KEY_REVOCATIONS_CHANNEL } from '@llm/redis';
import { freshDatabase, quietLogger, testInfra, waitFor } from '@llm/testing';
import Redis from 'ioredis';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { KeyRevocationListener } from './key-revocation.listener';
import { TenantRepository } from './tenant.repository';

/**
 * The documented bound: a key revoked by the cost ledger (database row + announcement on Redis) is refused by
 * every ingress as soon as the announcement arrives, long before the auth cache TTL (here one hour, so only
 * the announcement can explain the refusal).
 */
describe('API key revocation reaches ingress over Redis', () => {
  let prisma: PrismaClient;
  let redis: Redis;
  const listeners: KeyRevocationListener[] = [];

  beforeAll(async () => {
    const url = await freshDatabase('revoke');
    await migrate(url);
    prisma = createPrismaClient(url);
    redis = new Redis(testInfra().REDIS_URL);
  });
  afterAll(async () => {
    for (const l of listeners) await l.onApplicationShutdown();
    await redis.quit();
    await prisma.$disconnect();
  });

  it('refuses a revoked key at every ingress instance within the announcement, not the cache TTL', async () => {
    const secret = `sk-${randomUUID()}`;
    const tenant = `rev-${randomUUID().slice(0, 8)}`;
    await seedTenant(prisma, { tenantId: tenant, tier: 'paid', apiKey: secret });
    // Two ingress instances, each with its own cache and subscriber.
    const ingresses = [0, 1].map(() => new ApiKeyAuthenticator(new TenantRepository(prisma), { AUTH_CACHE_TTL_MS: 3_600_000 }));
    for (const auth of ingresses) {
      const l = new KeyRevocationListener(redis, auth, quietLogger());
      await l.onApplicationBootstrap();
      listeners.push(l);
    }
    for (const auth of ingresses) expect(await auth.authenticate(`Bearer ${secret}`)).toMatchObject({ tenantId: tenant });

    // What the ledger's revoke does: mark the row, then announce the hash.
    await prisma.apiKey.update({ where: { keyHash: hashApiKey(secret) }, data: { revokedAt: new Date() } });
    // Still cached: without the announcement the key would work for the whole TTL.
    for (const auth of ingresses) expect(await auth.authenticate(`Bearer ${secret}`)).toMatchObject({ tenantId: tenant });
    await redis.publish(API_KEY_REVOCATIONS_CHANNEL, hashApiKey(secret));
    for (const auth of ingresses) {
      await waitFor(async () => ((await auth.authenticate(`Bearer ${secret}`).catch((e: { code?: string }) => e.code)) === 'INVALID_API_KEY' ? true : undefined), {
        timeoutMs: 5_000,
        what: 'the revoked key to be refused',
      });
    }
  });
});
