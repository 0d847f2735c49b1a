import { TenantKeys, type Redis } from '@llm/redis';

/**
 * A caller that leaves (closed connection) marks its request cancelled; whoever runs it (the inference worker)
 * checks the mark before calling a model and is woken through the request's notify channel while a call runs,
 * so it can stop the call and charge only what was consumed.
 */
export class RequestCancellation {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 3_600,
  ) {}

  async cancel(tenantId: string, requestId: string): Promise<void> {
    const keys = new TenantKeys(tenantId);
    await this.redis.multi().set(keys.requestCancel(requestId), '1', 'EX', this.ttlSeconds).publish(keys.requestNotify(requestId), 'cancel').exec();
  }

  async isCancelled(tenantId: string, requestId: string): Promise<boolean> {
    return (await this.redis.exists(new TenantKeys(tenantId).requestCancel(requestId))) === 1;
  }
}
