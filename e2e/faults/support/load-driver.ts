import { randomUUID } from 'node:crypto';
import { Topics } from '@llm/contracts';
import type { EventPublisher } from '@llm/kafka';
import OpenAI from 'openai';

export interface Tenant {
  id: string;
  apiKey: string;
}

/** What every client sends: valid for the OpenAI API and for llm.inbound.v1 alike. */
interface ChatBody {
  model: string;
  messages: { role: 'user'; content: string }[];
  max_tokens: number;
}

export type RequestKind = 'sync' | 'stream' | 'async' | 'inbound';

/** One request a client sent, and what the client itself saw. */
export interface TrackedRequest {
  kind: RequestKind;
  phase: string;
  tenant: Tenant;
  /** The platform's request id (HTTP) or the upstream's own id (Kafka inbound). */
  id?: string;
  sentAt: number;
  /** When the platform took responsibility: a request id came back, or the inbound event was acked. */
  acceptedAt?: number;
  /** When the client saw the answer itself (sync 200, stream [DONE]); others are read back later. */
  answeredAt?: number;
  /** Why the client gave up without the platform accepting (after its own retries). */
  refused?: string;
}

export interface LoadOptions {
  ingressUrl: string;
  publisher: EventPublisher;
  tenants: readonly Tenant[];
  /** Concurrent clients per kind. */
  clients: Record<RequestKind, number>;
  /** Pause between two requests of one async / inbound client (they do not wait for answers). */
  fireIntervalMs: number;
  maxTokens: number;
}

const RETRYABLE_HTTP = new Set([503, 504]);

/**
 * Steady traffic as real callers send it: the official openai client (sync and streaming, with an
 * Idempotency-Key it keeps across its own retries on 5xx and connection errors), async submissions retried on
 * 503/504/connection errors with their Idempotency-Key, and an upstream system publishing to llm.inbound.v1 that
 * re-sends the same event until the broker acks it.
 */
export class LoadDriver {
  readonly requests: TrackedRequest[] = [];
  private phase = '';
  private running = false;
  private loops: Promise<void>[] = [];
  /** Fire-and-forget sends (async, inbound) still retrying. */
  private readonly pending = new Set<Promise<void>>();
  private next = 0;

  constructor(private readonly options: LoadOptions) {}

  start(phase: string): void {
    if (this.running) throw new Error('load is already running');
    this.phase = phase;
    this.running = true;
    const { clients } = this.options;
    for (let i = 0; i < clients.sync; i++) this.loops.push(this.loop(() => this.sync()));
    for (let i = 0; i < clients.stream; i++) this.loops.push(this.loop(() => this.stream()));
    for (let i = 0; i < clients.async; i++) this.loops.push(this.loop(() => this.submitAsync(), this.options.fireIntervalMs));
    for (let i = 0; i < clients.inbound; i++) this.loops.push(this.loop(() => this.inbound(), this.options.fireIntervalMs));
  }

  /** Stops sending; resolves once every client finished the request it was sending. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.pending);
    this.loops = [];
  }

  of(phase: string): TrackedRequest[] {
    return this.requests.filter((r) => r.phase === phase);
  }

  acceptedAfter(phase: string, at: number): TrackedRequest[] {
    return this.of(phase).filter((r) => r.acceptedAt !== undefined && r.sentAt >= at);
  }

  private async loop(send: () => Promise<TrackedRequest>, pauseMs = 0): Promise<void> {
    while (this.running) {
      if (pauseMs === 0) {
        const sent = await send();
        // A caller whose request failed waits a moment before the next one rather than spinning.
        if (sent.answeredAt === undefined) await new Promise((r) => setTimeout(r, 500));
      } else {
        const sending = send()
          .then(() => undefined)
          .finally(() => this.pending.delete(sending));
        this.pending.add(sending);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    }
  }

  private track(kind: RequestKind): { tracked: TrackedRequest; tenant: Tenant; body: ChatBody } {
    const n = this.next++;
    const tenant = this.options.tenants[n % this.options.tenants.length]!;
    const tracked: TrackedRequest = { kind, phase: this.phase, tenant, sentAt: Date.now() };
    this.requests.push(tracked);
    // Unique prompts: every request is a model call, never an exact-cache hit.
    const body = { model: 'auto', messages: [{ role: 'user' as const, content: `fault run ${this.phase} ${n} ${randomUUID()}` }], max_tokens: this.options.maxTokens };
    return { tracked, tenant, body };
  }

  private client(tenant: Tenant): OpenAI {
    // The official client's own retries (5xx, 408/409/429, connection errors) with exponential backoff.
    return new OpenAI({ baseURL: `${this.options.ingressUrl}/v1`, apiKey: tenant.apiKey, maxRetries: 6, timeout: 30_000 });
  }

  private async sync(): Promise<TrackedRequest> {
    const { tracked, tenant, body } = this.track('sync');
    try {
      const { response } = await this.client(tenant)
        .chat.completions.create(body, { headers: { 'Idempotency-Key': randomUUID() } })
        .withResponse();
      accept(tracked, response.headers.get('x-request-id'));
      tracked.answeredAt = Date.now();
    } catch (err) {
      this.failed(tracked, err);
    }
    return tracked;
  }

  private async stream(): Promise<TrackedRequest> {
    const { tracked, tenant, body } = this.track('stream');
    try {
      const { data, response } = await this.client(tenant)
        .chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { headers: { 'Idempotency-Key': randomUUID() } })
        .withResponse();
      accept(tracked, response.headers.get('x-request-id'));
      let finished = false;
      for await (const chunk of data) if (chunk.choices[0]?.finish_reason) finished = true;
      if (finished) tracked.answeredAt = Date.now();
    } catch (err) {
      this.failed(tracked, err);
    }
    return tracked;
  }

  private async submitAsync(): Promise<TrackedRequest> {
    const { tracked, tenant, body } = this.track('async');
    const key = randomUUID();
    let last = 'no attempt';
    for (let attempt = 0; attempt < 7; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(8_000, 250 * 2 ** attempt)));
      try {
        const res = await fetch(`${this.options.ingressUrl}/v1/requests`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        });
        if (res.status === 202) {
          accept(tracked, ((await res.json()) as { request_id?: string }).request_id ?? null);
          return tracked;
        }
        last = `HTTP ${res.status}`;
        await res.body?.cancel();
        if (!RETRYABLE_HTTP.has(res.status)) break;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    tracked.refused = last;
    return tracked;
  }

  private async inbound(): Promise<TrackedRequest> {
    const { tracked, tenant, body } = this.track('inbound');
    // The upstream's own id: any opaque string (a UUID here); the platform derives its request id from it.
    const id = randomUUID();
    tracked.id = id;
    let last = 'no attempt';
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(8_000, 250 * 2 ** attempt)));
      try {
        await this.options.publisher.publish(Topics.inbound, { request_id: id, tenant_id: tenant.id, priority: 'batch', body });
        tracked.acceptedAt = Date.now();
        return tracked;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    tracked.refused = last;
    return tracked;
  }

  private failed(tracked: TrackedRequest, err: unknown): void {
    // An error answer that carries a request id (504 sync timeout, a failed model call) was accepted: its
    // terminal state is read back by id. Without an id the platform never took the request.
    const id = err instanceof OpenAI.APIError ? err.headers?.get('x-request-id') : undefined;
    if (id) accept(tracked, id);
    else if (tracked.acceptedAt === undefined) tracked.refused = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  }
}

function accept(tracked: TrackedRequest, id: string | null): void {
  if (!id) throw new Error(`a ${tracked.kind} answer without x-request-id`);
  tracked.id = id;
  tracked.acceptedAt ??= Date.now();
}
