import type { Catalog } from '@llm/catalog';
import { callCostMicros } from '@llm/tokens';
import { z } from 'zod';
import { AdminError } from '../admin.errors';

export const estimateBody = z.strictObject({
  requests_per_day: z.number().int().min(0).max(1_000_000_000),
  tokens_in: z.number().int().min(0).max(10_000_000),
  tokens_out: z.number().int().min(0).max(10_000_000),
  /** Of tokens_in, served from the provider's prompt cache. */
  tokens_cached_in: z.number().int().min(0).max(10_000_000).default(0),
  /** Share of requests answered by the platform's cache (no model call, no cost). */
  cache_hit_rate: z.number().min(0).max(1).default(0),
  /** Share of model calls per catalog model id; shares must sum to 1. */
  routing_mix: z.record(z.string(), z.number().min(0).max(1)),
  days: z.number().int().min(1).max(31).default(30),
});

/**
 * Monthly cost of a traffic profile from the catalog's prices: per model, its share of the calls left after
 * cache hits times one call's cost (callCostMicros, the ledger's own rounding), plus what the cache saves.
 */
export function estimateCost(catalog: Catalog, b: z.infer<typeof estimateBody>) {
  const total = Object.values(b.routing_mix).reduce((a, s) => a + s, 0);
  if (Math.abs(total - 1) > 1e-6) throw new AdminError('INVALID_REQUEST', 'routing_mix shares must sum to 1');
  const requests = b.requests_per_day * b.days;
  const modelCalls = Math.round(requests * (1 - b.cache_hit_rate));
  let monthly = 0n;
  let withoutCache = 0n;
  const models = Object.entries(b.routing_mix).map(([id, share]) => {
    const m = catalog.models.find((x) => x.id === id);
    if (!m) throw new AdminError('INVALID_REQUEST', `unknown model ${id}`);
    const perCall = BigInt(
      callCostMicros(
        { tokensIn: b.tokens_in, cachedIn: Math.min(b.tokens_cached_in, b.tokens_in), tokensOut: b.tokens_out },
        { inPerMtok: m.price_in_micros_per_mtok, cachedInPerMtok: m.price_cached_in_micros_per_mtok, outPerMtok: m.price_out_micros_per_mtok },
      ),
    );
    const calls = BigInt(Math.round(modelCalls * share));
    monthly += calls * perCall;
    withoutCache += BigInt(Math.round(requests * share)) * perCall;
    return { model: id, provider: m.provider, calls: Number(calls), cost_per_call_micros: Number(perCall), cost_micros: Number(calls * perCall) };
  });
  return { days: b.days, requests, model_calls: modelCalls, cost_micros: Number(monthly), cache_savings_micros: Number(withoutCache - monthly), models };
}
