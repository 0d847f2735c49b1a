import { Topics, type LlmResultV1, type StreamDelta, type StreamEvent, type StreamReset } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { TenantKeys, type Redis } from '@llm/redis';

export interface ResultStreamOptions {
  /** How long a request's stream stays readable after its last write (resume, late readers, GET status). */
  ttlSeconds: number;
  /** Upper bound on entries kept per stream (deltas), approximate trimming. */
  maxLen: number;
}

export const DEFAULT_STREAM_OPTIONS: ResultStreamOptions = { ttlSeconds: 3_600, maxLen: 20_000 };

/**
 * The one way a request is finished (DESIGN.md, "How a waiting caller learns the outcome"). Whoever ends a
 * request (worker, cache on a hit, any stage that refuses it) calls publish(): the result goes to
 * llm.results.v1 first (the durable record), then one terminal event is appended to the request's Redis
 * Stream and readers are woken. A redelivered request that finishes twice appends no second terminal event.
 */
export class ResultPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly events: EventPublisher,
    private readonly options: ResultStreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {}

  async appendDelta(tenantId: string, requestId: string, delta: Omit<StreamDelta, 'type'>): Promise<string> {
    return this.append(new TenantKeys(tenantId), requestId, { type: 'delta', ...delta });
  }

  /** Voids the deltas of a call that failed after streaming: readers discard them before the next call starts. */
  async appendReset(tenantId: string, requestId: string, reset: Omit<StreamReset, 'type'>): Promise<string> {
    return this.append(new TenantKeys(tenantId), requestId, { type: 'reset', ...reset });
  }

  /**
   * Returns false when the request already had a terminal event (a duplicate finish). `before` is other durable
   * work of the finisher (its usage events, sent alongside): readers are told only after it too succeeded.
   */
  async publish(result: LlmResultV1, before?: Promise<void>): Promise<boolean> {
    await Promise.all([this.events.publish(Topics.results, result), before]);
    return (await this.appendTerminal(result)) !== undefined;
  }

  /**
   * The Redis half of publish() alone: the terminal event on the request's stream, and readers woken. Only for a
   * finisher that records llm.results.v1 itself (ingress's exact-cache fast path, ADR 0008); everyone else calls
   * publish(). Returns the entry id, or undefined when the request already had a terminal event.
   */
  async appendTerminal(result: LlmResultV1): Promise<string | undefined> {
    const keys = new TenantKeys(result.tenant_id);
    const event: StreamEvent = { type: 'terminal', result };
    // One round trip: the once-only mark and the append are one script.
    const id = (await this.redis.eval(
      APPEND_TERMINAL,
      2,
      keys.requestTerminal(result.request_id),
      keys.requestStream(result.request_id),
      String(this.options.ttlSeconds),
      String(this.options.maxLen),
      JSON.stringify(event),
      keys.requestNotify(result.request_id),
    )) as string | null;
    return id ?? undefined;
  }

  private async append(keys: TenantKeys, requestId: string, event: StreamEvent): Promise<string> {
    const stream = keys.requestStream(requestId);
    const [[, id]] = (await this.redis
      .multi()
      .xadd(stream, 'MAXLEN', '~', String(this.options.maxLen), '*', 'event', JSON.stringify(event))
      .expire(stream, this.options.ttlSeconds)
      .publish(keys.requestNotify(requestId), event.type)
      .exec()) as [[Error | null, string]];
    return id;
  }
}

/**
 * KEYS: terminal mark, stream. ARGV: ttl s, max length, event, notify channel. Returns the entry id, or nil if
 * already finished. The notice carries the entry (see parseTerminalNotice), so a caller waiting for the outcome
 * alone is answered without reading the stream back.
 */
const APPEND_TERMINAL = `
if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[1], 'NX') then return nil end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'event', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[4], 'terminal ' .. id .. ' ' .. ARGV[3])
return id
`;
