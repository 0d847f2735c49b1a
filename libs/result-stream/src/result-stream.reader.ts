import { streamEvent, type LlmResultV1, type StreamEvent } from '@llm/contracts';
import { TenantKeys, type Redis } from '@llm/redis';
import type { RequestNotifications } from './request-notifications';

export interface StreamEntry {
  id: string;
  event: StreamEvent;
}

/**
 * Reads request streams for waiting callers. Wake-ups come over pub/sub on one shared subscriber connection
 * (a blocking XREAD per waiter would need a connection per waiting caller); the stream itself is the source
 * of truth, read with XRANGE after subscribing, so an event written before the subscription is never missed.
 */
export class ResultStreamReader {
  constructor(
    private readonly redis: Redis,
    private readonly notifications: RequestNotifications,
  ) {}

  /**
   * Calls onEntry for every entry after `afterId` (exclusive; '0' for all) until the terminal event, the
   * timeout, or an abort. Resolves with the terminal result, or undefined if it did not arrive in time.
   */
  async follow(
    tenantId: string,
    requestId: string,
    options: { afterId?: string; timeoutMs: number; signal?: AbortSignal; onEntry?: (entry: StreamEntry) => void | Promise<void> },
  ): Promise<LlmResultV1 | undefined> {
    const keys = new TenantKeys(tenantId);
    const stream = keys.requestStream(requestId);
    const deadline = Date.now() + options.timeoutMs;
    let cursor = options.afterId ?? '0';
    let wake: () => void = () => undefined;
    let pending = true;
    // A caller that wants the outcome alone (no deltas) takes it from the terminal notice: one read fewer.
    let noticed: LlmResultV1 | undefined;
    const listener = (message: string) => {
      if (!options.onEntry) noticed ??= parseTerminalNotice(message);
      pending = true;
      wake();
    };
    const unlisten = await this.notifications.listen(tenantId, requestId, listener);
    try {
      for (;;) {
        if (noticed) return noticed;
        if (pending) {
          pending = false;
          const entries = await this.redis.xrange(stream, cursor === '0' ? '-' : `(${cursor}`, '+', 'COUNT', 500);
          for (const [id, fields] of entries) {
            cursor = id;
            const event = parseEntry(fields);
            if (!event) continue;
            await options.onEntry?.({ id, event });
            if (event.type === 'terminal') return event.result;
          }
          // A full page means more may be waiting: read again without waiting for a wake-up.
          if (entries.length === 500) {
            pending = true;
            continue;
          }
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0 || options.signal?.aborted) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          const done = () => {
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', done);
            resolve();
          };
          wake = done;
          options.signal?.addEventListener('abort', done, { once: true });
          if (pending) done();
        });
      }
    } finally {
      await unlisten();
    }
  }

  /** The terminal result if the request has finished, without waiting. */
  async terminal(tenantId: string, requestId: string): Promise<LlmResultV1 | undefined> {
    const entries = await this.redis.xrevrange(new TenantKeys(tenantId).requestStream(requestId), '+', '-', 'COUNT', 1);
    const event = entries[0] ? parseEntry(entries[0][1]) : undefined;
    return event?.type === 'terminal' ? event.result : undefined;
  }
}

function parseEntry(fields: string[]): StreamEvent | undefined {
  const i = fields.indexOf('event');
  if (i < 0 || fields[i + 1] === undefined) return undefined;
  return parseEvent(fields[i + 1]!);
}

function parseEvent(json: string): StreamEvent | undefined {
  try {
    const parsed = streamEvent.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The result in a terminal notice, `terminal <entry id> <event>`, as ResultPublisher's script publishes it
 * right after appending that entry. A bare `terminal` (an older publisher) or anything else gives undefined:
 * the reader then reads the stream as before.
 */
function parseTerminalNotice(message: string): LlmResultV1 | undefined {
  if (!message.startsWith('terminal ')) return undefined;
  const json = message.indexOf(' ', 'terminal '.length);
  if (json < 0) return undefined;
  const event = parseEvent(message.slice(json + 1));
  return event?.type === 'terminal' ? event.result : undefined;
}
