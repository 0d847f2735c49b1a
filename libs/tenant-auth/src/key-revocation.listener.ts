import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_KEY_REVOCATIONS_CHANNEL, REDIS, type Redis } from '@llm/redis';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { ApiKeyAuthenticator } from './api-key.authenticator';

/**
 * Revocation reaches this ingress within a pub/sub hop: the cost ledger publishes the revoked key's hash and
 * the cached answer is dropped. If a message is lost (Redis down at that moment), the cache TTL
 * (AUTH_CACHE_TTL_MS) bounds how long a revoked key keeps working.
 */
@Injectable()
export class KeyRevocationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber: Redis | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A subscribed connection can run nothing else, so it is a connection of its own.
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', (err) => this.log.warn({ err }, 'key revocation subscriber error'));
    sub.on('message', (_channel: string, keyHash: string) => this.authenticator.forget(keyHash));
    await sub.subscribe(API_KEY_REVOCATIONS_CHANNEL).catch((err: unknown) => this.log.warn({ err }, 'key revocations not subscribed; the cache TTL bounds revocation'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
