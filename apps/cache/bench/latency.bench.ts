/**
 * Lookup latency of the cache at 100,000 entries (`npm run bench:cache-latency [-- --entries N --queries N --skip-qdrant]`):
 * exact lookups (Redis, the exact repository), semantic lookups (embedded index, and Qdrant where one runs:
 * QDRANT_URL or the installed dev server), and the embedding of one question per request. Prints p50/p99 in ms.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { exactCacheKey, ExactCacheReader } from '@llm/cache-key';
import type { ChatCompletion } from '@llm/contracts';
import { normalize } from '@llm/embeddings';
import { TenantKeys } from '@llm/redis';
import { startQdrantForTests, qdrantAvailability } from '@llm/vector-store/testing';
import { cacheConfigSchema } from '../src/config/cache.config';
import { ExactCacheRepository } from '../src/exact-cache/exact-cache.repository';
import { args, percentile, semanticCachePath, type CachePath } from './bench-support';

const answer: ChatCompletion = {
  id: 'x',
  object: 'chat.completion',
  created: 1,
  model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'cached' }, finish_reason: 'stop' }],
};

function randomUnit(dims: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    v[i] = s / 2 ** 32 - 0.5;
  }
  return normalize(v);
}

async function timed(n: number, run: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number; n: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50: r(percentile(samples, 50)), p99: r(percentile(samples, 99)), n };
}

/** Fills one tenant with `entries` semantic entries (random vectors, 100 contexts) and times nearest + answer read. */
async function semantic(path: CachePath, entries: number, queries: number) {
  const tenant = `lat-${randomUUID().slice(0, 8)}`;
  const dims = path.embedder.dimensions;
  const contexts = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(64, '0'));
  const loadStart = performance.now();
  const batch = 1_000;
  const expires = Math.floor(Date.now() / 1000) + 3_600;
  // Bulk load (the store path writes one entry at a time; loading 100k that way would only measure the loader).
  for (let i = 0; i < entries; i += batch) {
    const ids = Array.from({ length: Math.min(batch, entries - i) }, (_, j) => i + j);
    const write = path.redis.pipeline();
    ids.forEach((k) => write.set(new TenantKeys(tenant).semanticAnswer(k.toString(16).padStart(64, '0')), JSON.stringify({ completion: answer, cost_micros: 1 }), 'EX', 3_600));
    await write.exec();
    await path.index.forTenant(tenant).upsert(
      ids.map((k) => ({
        id: k.toString(16).padStart(64, '0'),
        vector: randomUnit(dims, k + 1),
        payload: { context: contexts[k % contexts.length]!, question: `q${k}`, feature: '', collection: '', expires_at: expires },
      })),
    );
    process.stderr.write(`\r  loaded ${Math.min(i + batch, entries)}/${entries}`);
  }
  process.stderr.write(` in ${((performance.now() - loadStart) / 1000).toFixed(1)} s\n`);
  const now = new Date();
  const result = await timed(queries, async (i) => {
    const prepared = { pending: { context: contexts[i % contexts.length]!, question: 'q', feature: '', collection: '' }, entryId: '', vector: randomUnit(dims, 1_000_000 + i) };
    const best = await path.matcher.nearest(tenant, prepared, now);
    if (best) await path.repository.answer(tenant, best.id);
  });
  await path.repository.purge(tenant, {});
  return result;
}

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  const entries = Number(opts.get('entries') ?? 100_000);
  const queries = Number(opts.get('queries') ?? 500);
  const report: Record<string, unknown> = { entries, queries };

  const embedded = await semanticCachePath({});
  try {
    // Exact: the exact repository on Redis with `entries` keys present.
    const config = cacheConfigSchema.parse({ EXACT_CACHE_TTL_S: '600' });
    const exact = new ExactCacheRepository(embedded.redis, config);
    const reader = new ExactCacheReader(embedded.redis, { cacheSampled: false });
    const tenant = `lat-${randomUUID().slice(0, 8)}`;
    const keys = Array.from({ length: entries }, (_, i) => exactCacheKey(tenant, { model: 'auto', messages: [{ role: 'user', content: `question ${i}` }] }));
    for (let i = 0; i < keys.length; i += 1_000) await Promise.all(keys.slice(i, i + 1_000).map((k) => exact.save(tenant, k, answer)));
    report['exact_lookup_ms'] = await timed(queries, (i) => reader.find(tenant, keys[(i * 7919) % keys.length]!));
    const pipeline = embedded.redis.pipeline();
    keys.forEach((k) => pipeline.unlink(`t:${tenant}:cache:exact:${k}`));
    await pipeline.exec();

    process.stderr.write('embedded index:\n');
    report['semantic_lookup_embedded_ms'] = await semantic(embedded, entries, queries);
    // One new question per request (unique text, so the embedding cache misses), as on a semantic miss.
    report['embedding_per_request_ms'] = await timed(Math.min(queries, 200), (i) => embedded.embedder.embed([`a fresh question number ${i} ${randomUUID()} about refunds?`]));
    // The second stage, added only to borderline lookups: the candidate's vector from the Redis embedding cache
    // (it was embedded when stored) plus the classifier; and with the candidate's vector evicted (a model run).
    const verifier = embedded.verifier;
    if (verifier) {
      const [queryVector] = await embedded.embedder.embed(['how do refunds work for annual plans']);
      const stored = Array.from({ length: Math.min(queries, 200) }, (_, i) => `can i get a refund on plan ${i} ${randomUUID()}`);
      await embedded.embedder.embed(stored);
      const pair = (candidate: string) => ({ similarity: 0.8, query: 'how do refunds work for annual plans', queryVector: queryVector!, candidate });
      report['second_stage_ms'] = await timed(stored.length, (i) => verifier.probability(pair(stored[i]!)));
      report['second_stage_cold_candidate_ms'] = await timed(Math.min(queries, 100), (i) => verifier.probability(pair(`an evicted question ${i} ${randomUUID()} about refunds`)));
    } else report['second_stage_ms'] = `skipped: no pair classifier for ${embedded.embedder.model}`;
    // The token-alignment stage: the lookup embeds the question with its token states (one model run, a larger
    // Redis write), and a borderline lookup reads the candidate's token states (~6 kB) and aligns them.
    const alignment = embedded.alignment;
    const embedTokens = embedded.embedder.embedTokens;
    if (alignment && embedTokens) {
      report['embedding_with_token_states_per_request_ms'] = await timed(Math.min(queries, 200), (i) =>
        embedTokens([`a fresh question number ${i} ${randomUUID()} about refunds?`]),
      );
      const query = 'how do refunds work for annual plans';
      const [asked] = await embedTokens([query]);
      const stored = Array.from({ length: Math.min(queries, 200) }, (_, i) => `can i get a refund on plan ${i} ${randomUUID()}`);
      await embedTokens(stored);
      const pair = (candidate: string) => ({ similarity: 0.8, query, queryVector: asked!.vector, queryTokens: asked!.tokens, candidate });
      report['alignment_second_stage_ms'] = await timed(stored.length, (i) => alignment.probability(pair(stored[i]!)));
      report['alignment_second_stage_cold_candidate_ms'] = await timed(Math.min(queries, 100), (i) =>
        alignment.probability(pair(`an evicted question ${i} ${randomUUID()} about refunds`)),
      );
    } else report['alignment_second_stage_ms'] = `skipped: no token-alignment model for ${embedded.embedder.model}`;
  } finally {
    await embedded.close();
  }

  const qdrant = qdrantAvailability();
  if (opts.has('skip-qdrant')) {
    report['semantic_lookup_qdrant_ms'] = 'skipped: --skip-qdrant';
  } else if (qdrant.available) {
    process.stderr.write(`qdrant (${qdrant.describe}):\n`);
    // A Qdrant failure (a dev server killed under memory pressure) must not lose the figures measured above.
    try {
      const server = await startQdrantForTests();
      const path = await semanticCachePath({ qdrantUrl: server.url });
      try {
        report['semantic_lookup_qdrant_ms'] = await semantic(path, entries, queries);
      } finally {
        await path.close();
        await server.stop();
      }
    } catch (error) {
      report['semantic_lookup_qdrant_ms'] = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else {
    report['semantic_lookup_qdrant_ms'] = `skipped: ${qdrant.reason}`;
  }
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
