import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Topics } from '@llm/contracts';
import type { createKafkaClient } from '@llm/kafka';
import type { Client } from 'pg';
import { z } from 'zod';
import type { Tenant, TrackedRequest } from './load-driver';

type Kafka = ReturnType<typeof createKafkaClient>;

export const TERMINAL = new Set(['succeeded', 'failed', 'rejected', 'expired', 'cancelled']);

/** One result event as an upstream caller reads it from llm.results.v1. */
export interface SeenResult {
  status: string;
  /** What the caller got: two deliveries of the same outcome are one terminal state, different ones are two. */
  fingerprint: string;
}

/** model-sim's own record of one provider call (GET /sim/bill). */
export const billCall = z.object({
  /** `x-llm-call-id` as sent by the worker: `<tenant>/<request_id>/<call_id>`. */
  call_id: z.string().nullable().optional(),
  model: z.string(),
  prompt_tokens: z.number().int(),
  cached_tokens: z.number().int().default(0),
  completion_tokens: z.number().int(),
  outcome: z.string(),
  /** When model-sim received the call (epoch ms). */
  started_at: z.number(),
});
export type BillCall = z.infer<typeof billCall>;
const billSchema = z.object({ calls: z.array(billCall) }).passthrough();

const statsSchema = z.object({ requests: z.number(), tokens_generated: z.number(), in_flight: z.number(), queued: z.number() }).passthrough();
export type SimStats = z.infer<typeof statsSchema>;

export interface UsageRow {
  tenant_id: string;
  request_id: string;
  call_id: string;
  source: string;
  status: string;
  model: string;
  tokens_in: number;
  tokens_out: number;
  cost_micros: number;
}

const catalogPrices = z.object({
  models: z.array(
    z.object({
      id: z.string(),
      provider: z.string(),
      deployment: z.string(),
      price_in_micros_per_mtok: z.number().int(),
      price_out_micros_per_mtok: z.number().int(),
      price_cached_in_micros_per_mtok: z.number().int().optional(),
    }),
  ),
});

/** A provider call that did not run to its end: the caller left (worker died) or the call failed. */
export function callEndedEarly(outcome: string): boolean {
  return /abort|cancel|disconnect|closed|error|fail|timeout|stall|429|500|reject|overload/i.test(outcome);
}

/** Splits `<tenant>/<request_id>/<call_id>`; undefined when the worker sent no call id. */
export function callIdentity(call: BillCall): { tenantId: string; requestId: string; callId: string } | undefined {
  const parts = call.call_id?.split('/');
  if (!parts || parts.length !== 3) return undefined;
  const [tenantId, requestId, callId] = parts as [string, string, string];
  return { tenantId, requestId, callId };
}

/** Reads what callers, the ledger, the broker and the provider can tell about a fault run. */
export class PlatformObserver {
  private readonly prices: z.infer<typeof catalogPrices>['models'];

  constructor(private readonly options: { ingressUrl: string; modelSimUrl: string; kafka: Kafka; topicPrefix: string; db: Client; catalogPath: string }) {
    this.prices = catalogPrices.parse(JSON.parse(readFileSync(options.catalogPath, 'utf8'))).models;
  }

  /** The request's state as its HTTP caller reads it (GET /v1/requests/{id} with the tenant's key). */
  async httpStatus(r: TrackedRequest): Promise<string | undefined> {
    try {
      const res = await fetch(`${this.options.ingressUrl}/v1/requests/${r.id}`, { headers: { authorization: `Bearer ${r.tenant.apiKey}` } });
      if (!res.ok) return `http-${res.status}`;
      return ((await res.json()) as { status?: string }).status;
    } catch {
      return undefined; // ingress is restarting
    }
  }

  /**
   * Every result on llm.results.v1, by `<tenant>/<request id>` and `<tenant>/<upstream id>`: what an upstream
   * system reads for its inbound events. A fresh group each time, read up to the high watermarks.
   */
  async results(): Promise<Map<string, SeenResult[]>> {
    const topic = `${this.options.topicPrefix}${Topics.results}`;
    const admin = this.options.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
    const seen = new Map<string, SeenResult[]>();
    if (remaining.size === 0) return seen;
    const consumer = this.options.kafka.consumer({ groupId: `faults-reader-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const result = JSON.parse(message.value?.toString() ?? '{}') as {
            tenant_id: string;
            request_id: string;
            upstream_id?: string;
            status: string;
            response?: unknown;
            error?: { code?: string };
          };
          const entry = { status: result.status, fingerprint: JSON.stringify([result.status, result.response ?? null, result.error?.code ?? null]) };
          for (const id of [result.request_id, result.upstream_id]) {
            if (!id) continue;
            const key = `${result.tenant_id}/${id}`;
            seen.set(key, [...(seen.get(key) ?? []), entry]);
          }
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) done();
        },
      });
      await finished;
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  /** Messages not yet committed by the service groups on this run's topics (admin API, through libs/kafka). */
  async lag(): Promise<{ total: number; detail: string[] }> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      const detail: string[] = [];
      let total = 0;
      const ends = new Map<string, Map<number, { high: number; low: number }>>();
      for (const { groupId } of groups) {
        if (groupId.startsWith('faults-reader-')) continue;
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
          if (!topic.startsWith(this.options.topicPrefix)) continue;
          if (!ends.has(topic)) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }])));
          for (const { partition, offset } of partitions) {
            const end = ends.get(topic)!.get(partition)!;
            const committed = Number(offset) < 0 ? end.low : Number(offset);
            const lag = end.high - committed;
            if (lag > 0) detail.push(`${groupId} ${topic}[${partition}] lag ${lag}`);
            total += lag;
          }
        }
      }
      return { total, detail };
    } finally {
      await admin.disconnect();
    }
  }

  async simStats(): Promise<SimStats> {
    return statsSchema.parse(await (await fetch(`${this.options.modelSimUrl}/sim/stats`)).json());
  }

  /** model-sim's bill: every provider call it served, with what it billed. */
  async bill(): Promise<BillCall[]> {
    const res = await fetch(`${this.options.modelSimUrl}/sim/bill`);
    if (!res.ok) throw new Error(`GET /sim/bill answered ${res.status}`);
    return billSchema.parse(await res.json()).calls;
  }

  /** A provider call priced with the catalog (cached prompt tokens at the cached price), rounded up per call. */
  price(call: BillCall): number {
    const model = this.prices.find((m) => m.provider === 'sim' && (m.deployment === call.model || m.id === call.model));
    if (!model) throw new Error(`model-sim billed ${call.model}, which the catalog does not price`);
    const cached = BigInt(call.cached_tokens);
    const total =
      (BigInt(call.prompt_tokens) - cached) * BigInt(model.price_in_micros_per_mtok) +
      cached * BigInt(model.price_cached_in_micros_per_mtok ?? model.price_in_micros_per_mtok) +
      BigInt(call.completion_tokens) * BigInt(model.price_out_micros_per_mtok);
    return Number((total + 999_999n) / 1_000_000n);
  }

  async usage(tenants: readonly Tenant[]): Promise<UsageRow[]> {
    const { rows } = await this.options.db.query<UsageRow & { cost_micros: string }>(
      `select tenant_id, request_id::text as request_id, call_id, source, status, model, tokens_in, tokens_out, cost_micros::text as cost_micros
         from usage_events where tenant_id = any($1)`,
      [tenants.map((t) => t.id)],
    );
    return rows.map((r) => ({ ...r, cost_micros: Number(r.cost_micros) }));
  }
}
