import { Inject, Injectable } from '@nestjs/common';
import { Headers, type LlmResultV1 } from '@llm/contracts';
import { EventPublisher, KafkaEventPublisher } from '@llm/kafka';
import { REDIS, TenantKeys, type Redis } from '@llm/redis';
import { INGRESS_CONFIG, type IngressConfig } from '../config/ingress.config';

/** The reply topic of a tenant (DESIGN.md, Topics): `llm.replies.<tenant>.v1`, ACL'd to that tenant's upstream. */
export const replyTopic = (tenantId: string): string => `llm.replies.${tenantId}.v1`;

const REPLY_TTL_S = 86_400;

/**
 * Per-tenant reply topics of Kafka upstreams: an inbound request of a tenant that declared one is remembered
 * with the upstream's correlation id, and its outcome is published to that tenant's topic only, keyed by
 * request id, with the correlation id in a header. Upstreams never read the shared llm.results.v1.
 */
@Injectable()
export class ReplyTopics {
  private readonly tenants: ReadonlySet<string>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EventPublisher) private readonly publisher: KafkaEventPublisher,
    @Inject(INGRESS_CONFIG) config: Pick<IngressConfig, 'INBOUND_REPLY_TENANTS' | 'KAFKA_TOPIC_PREFIX'>,
  ) {
    this.tenants = new Set(config.INBOUND_REPLY_TENANTS);
    this.prefix = config.KAFKA_TOPIC_PREFIX ?? '';
  }

  private readonly prefix: string;

  /** Called when an inbound request is accepted. */
  async remember(tenantId: string, requestId: string, correlationId: string | undefined): Promise<void> {
    if (!this.tenants.has(tenantId)) return;
    await this.redis.set(this.key(tenantId, requestId), correlationId ?? '', 'EX', REPLY_TTL_S);
  }

  /** Called for every outcome ingress records; publishes those of remembered inbound requests. */
  async deliver(result: LlmResultV1): Promise<void> {
    if (result.upstream_id === undefined || !this.tenants.has(result.tenant_id)) return;
    const correlationId = await this.redis.get(this.key(result.tenant_id, result.request_id));
    if (correlationId === null) return;
    await this.publisher.send({
      topic: `${this.prefix}${replyTopic(result.tenant_id)}`,
      key: result.request_id,
      value: JSON.stringify(result),
      headers: {
        [Headers.requestId]: result.request_id,
        [Headers.tenantId]: result.tenant_id,
        ...(correlationId === '' ? {} : { [Headers.correlationId]: correlationId }),
      },
    });
  }

  private key(tenantId: string, requestId: string): string {
    return `${new TenantKeys(tenantId).prefix}reply:${requestId}`;
  }
}
