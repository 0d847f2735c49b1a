import { TenantKeys, type Redis } from '@llm/redis';
import type { RequestNotifications } from './request-notifications';

const CANCEL = 'cancel';

/**
 * A caller that leaves (closed connection) marks its request cancelled and says so on the request's notify
 * channel. Whoever runs the request (the inference worker) checks the mark before calling a model and is
 * woken by the notification while a call runs, so it can stop the call and charge only what was consumed.
 */
export class RequestCancellation {
  constructor(
    private readonly redis: Redis,
    private readonly notifications: RequestNotifications,
    private readonly ttlSeconds = 3_600,
  ) {}

  async cancel(tenantId: string, requestId: string): Promise<void> {
    const keys = new TenantKeys(tenantId);
    await this.redis.multi().set(keys.requestCancel(requestId), '1', 'EX', this.ttlSeconds).publish(keys.requestNotify(requestId), CANCEL).exec();
  }

  async isCancelled(tenantId: string, requestId: string): Promise<boolean> {
    return (await this.redis.exists(new TenantKeys(tenantId).requestCancel(requestId))) === 1;
  }

  /**
   * Calls onCancel once the request is cancelled, now or later, until the returned stop is called. Listens
   * first and then checks the mark, so a cancel between the two is never missed.
   */
  async watch(tenantId: string, requestId: string, onCancel: () => void): Promise<() => Promise<void>> {
    let fired = false;
    const fire = () => {
      if (fired) return;
      fired = true;
      onCancel();
    };
    const stop = await this.notifications.listen(tenantId, requestId, (message) => message === CANCEL && fire());
    if (await this.isCancelled(tenantId, requestId)) fire();
    return stop;
  }
}
