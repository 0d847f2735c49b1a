import { TenantKeys, type Redis } from '@llm/redis';

export type NotificationListener = (message: string) => void;

/**
 * Listeners on requests' notify channels ('delta', 'terminal <entry id> <event>', 'cancel'), all over one shared subscriber
 * connection: a channel is subscribed while it has a listener. Callers waiting on a stream and workers
 * watching for a cancel both use it, so neither polls Redis.
 */
export class RequestNotifications {
  private readonly listeners = new Map<string, Set<NotificationListener>>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
  }

  /** Resolves once subscribed (a message published after that is seen); returns the unsubscribe. */
  async listen(tenantId: string, requestId: string, listener: NotificationListener): Promise<() => Promise<void>> {
    const channel = new TenantKeys(tenantId).requestNotify(requestId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      set.add(listener);
      await this.subscriber.subscribe(channel);
    } else {
      set.add(listener);
    }
    return async () => {
      const current = this.listeners.get(channel);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }
}
