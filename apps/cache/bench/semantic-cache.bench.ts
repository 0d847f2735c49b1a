/**
 * Semantic cache accuracy on labelled question pairs (QQP as packaged by GPTCache, ../shared/data/qqp-pairs):
 * stores an answer for each text_a through the cache's real store path, asks each text_b through the real lookup
 * path (same tenant, same context), and rates the hits: a label-1 pair should hit its own text_a's answer, a
 * label-0 pair must not hit at all.
 *
 *   npm run bench:cache -- --pairs <jsonl> --out <file.json> [--limit N] [--offset N]
 *   npm run bench:cache -- --calibrate --pairs ../shared/data/qqp-pairs/qqp_pairs_part1.jsonl [--limit N]
 *
 * --calibrate fits the default policy on the first N pairs of part 1 and writes semantic-calibration.json;
 * a normal run reads it and skips the rows it was fitted on, so it reports on pairs it never saw.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ChatCompletion, LlmRequestV1 } from '@llm/contracts';
import { answeredResult } from '@llm/result-stream';
import { decide, fitLogistic, pairFeatures, type SemanticPolicy, type VerifierModel } from '../src/semantic-cache/semantic-decision';
import { semanticQuestion } from '../src/semantic-cache/semantic-key';
import { StoreSemanticCommand } from '../src/semantic-cache/use-cases/store-semantic/store-semantic.command';
import { args, semanticCachePath, type CachePath } from './bench-support';

interface Pair {
  row: number;
  text_a: string;
  text_b: string;
  label: 0 | 1;
}

interface Observation {
  label: 0 | 1;
  similarity: number;
  /** The nearest entry is this pair's own text_a. */
  own: boolean;
  query: string;
  candidate: string;
}

interface Rates {
  duplicate_hit_rate: number;
  false_hit_rate: number;
  precision: number;
  hits: number;
  /** Label-1 queries that hit another pair's entry (counted as wrong in precision). */
  wrong_entry_hits: number;
}

const CALIBRATION_FILE = resolve('apps/cache/src/semantic-cache/semantic-calibration.json');
const SYSTEM = 'You answer questions about our product.';

const request = (tenant: string, question: string): LlmRequestV1 => ({
  request_id: randomUUID(),
  tenant_id: tenant,
  feature: 'qqp',
  priority: 'realtime-paid',
  mode: 'sync',
  created_at: new Date().toISOString(),
  body: {
    model: 'auto',
    temperature: 0,
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: question },
    ],
  },
});

const completion = (text: string): ChatCompletion => ({
  id: 'bench',
  object: 'chat.completion',
  created: 1,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 },
});

async function observe(path: CachePath, pairs: readonly Pair[]): Promise<{ observations: Observation[]; textsPerS: number }> {
  const tenant = `bench-${randomUUID().slice(0, 8)}`;
  // Warm the embedding cache in batches (what a busy service sees); this also measures throughput.
  const texts = [...new Set(pairs.flatMap((p) => [p.text_a, p.text_b]).map((t) => semanticQuestion({ model: 'auto', messages: [{ role: 'user', content: t }] })))].filter(
    (t): t is string => t !== undefined,
  );
  const started = Date.now();
  for (let i = 0; i < texts.length; i += 256) {
    await path.embedder.embed(texts.slice(i, i + 256));
    process.stderr.write(`\rembedded ${Math.min(i + 256, texts.length)}/${texts.length}`);
  }
  const textsPerS = texts.length / ((Date.now() - started) / 1000);
  process.stderr.write(` (${textsPerS.toFixed(1)} texts/s)\n`);

  for (const [i, pair] of pairs.entries()) {
    const asked = request(tenant, pair.text_a);
    const prepared = await path.matcher.prepare(asked);
    if (!prepared) continue;
    await path.repository.remember(tenant, asked.request_id, prepared.pending);
    const result = answeredResult(asked, {
      source: 'model',
      model: 'bench-model',
      provider: 'bench',
      response: completion(`answer ${i}`),
      usage: completion('').usage!,
      cost_micros: 100,
      attempt: 1,
    });
    await path.storeSemantic.execute(StoreSemanticCommand.create(result));
  }
  const observations: Observation[] = [];
  const now = new Date();
  for (const pair of pairs) {
    const prepared = await path.matcher.prepare(request(tenant, pair.text_b));
    const own = semanticQuestion({ model: 'auto', messages: [{ role: 'user', content: pair.text_a }] });
    if (!prepared || own === undefined) continue;
    const best = await path.matcher.nearest(tenant, prepared, now);
    observations.push({ label: pair.label, similarity: best?.similarity ?? -1, own: best?.question === own, query: prepared.pending.question, candidate: best?.question ?? '' });
  }
  await path.repository.purge(tenant, {});
  return { observations, textsPerS };
}

function rate(observations: readonly Observation[], policy: SemanticPolicy): Rates {
  let positives = 0;
  let negatives = 0;
  let truePositive = 0;
  let falseHits = 0;
  let wrongEntry = 0;
  for (const o of observations) {
    const verdict = decide(o.similarity, o.query, o.candidate, policy);
    const hit = verdict === 'hit' || verdict === 'verified';
    if (o.label === 1) {
      positives++;
      if (hit && o.own) truePositive++;
      else if (hit) wrongEntry++;
    } else {
      negatives++;
      if (hit) falseHits++;
    }
  }
  const hits = truePositive + falseHits + wrongEntry;
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    duplicate_hit_rate: r(truePositive / Math.max(1, positives)),
    false_hit_rate: r(falseHits / Math.max(1, negatives)),
    precision: r(hits === 0 ? 1 : truePositive / hits),
    hits,
    wrong_entry_hits: wrongEntry,
  };
}

const grid = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.round((from + i * step) * 1000) / 1000);

function curve(observations: readonly Observation[]) {
  return grid(0.8, 0.99, 0.01).map((threshold) => ({ threshold, ...rate(observations, { threshold }) }));
}

/** The single threshold with the highest duplicate hit rate whose false-hit rate stays within the target. */
function bestSingleThreshold(observations: readonly Observation[], target: number): number {
  let best = { threshold: 1, dhr: -1 };
  for (const threshold of grid(0.8, 0.995, 0.005)) {
    const r = rate(observations, { threshold });
    if (r.false_hit_rate <= target && r.duplicate_hit_rate > best.dhr) best = { threshold, dhr: r.duplicate_hit_rate };
  }
  return best.threshold;
}

function fitVerifier(observations: readonly Observation[], target: number, low: number): { threshold: number; verifier: VerifierModel } {
  const samples = observations
    .filter((o) => o.similarity >= low)
    .map((o) => ({ features: pairFeatures(o.similarity, o.query, o.candidate), label: (o.label === 1 && o.own ? 1 : 0) as 0 | 1 }));
  const { weights, bias } = fitLogistic(samples);
  let best = { threshold: 1, cutoff: 1, dhr: -1 };
  for (const threshold of grid(0.9, 1, 0.005)) {
    for (const cutoff of grid(0.05, 0.99, 0.01)) {
      const r = rate(observations, { threshold, verifier: { low, weights, bias, cutoff } });
      if (r.false_hit_rate <= target && r.duplicate_hit_rate > best.dhr) best = { threshold, cutoff, dhr: r.duplicate_hit_rate };
    }
  }
  return { threshold: best.threshold, verifier: { low, weights: weights.map((w) => Math.round(w * 1e4) / 1e4), bias: Math.round(bias * 1e4) / 1e4, cutoff: best.cutoff } };
}

function readPairs(file: string): Pair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Pair);
}

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  const file = resolve(opts.get('pairs') ?? '../shared/data/qqp-pairs/qqp_pairs_part1.jsonl');
  const calibrate = opts.has('calibrate');
  const limit = Number(opts.get('limit') ?? (calibrate ? 2000 : 1500));
  const offset = Number(opts.get('offset') ?? 0);
  const target = Number(opts.get('target-false-hit-rate') ?? 0.015);
  const all = readPairs(file);
  const calibration = JSON.parse(readFileSync(CALIBRATION_FILE, 'utf8')) as {
    model: string;
    threshold: number;
    baseline_threshold: number;
    verifier?: VerifierModel;
    calibrated_on?: { file: string; rows: { from: number; to: number } };
  };
  const seen = (p: Pair) => calibration.calibrated_on?.file === basename(file) && p.row >= calibration.calibrated_on.rows.from && p.row <= calibration.calibrated_on.rows.to;
  const pairs = calibrate ? all.slice(offset, offset + limit) : all.filter((p) => !seen(p)).slice(offset, offset + limit);
  process.stderr.write(`${calibrate ? 'calibrating on' : 'evaluating'} ${pairs.length} pairs of ${basename(file)} (rows ${pairs[0]?.row}..${pairs[pairs.length - 1]?.row})\n`);

  const path = await semanticCachePath();
  try {
    const { observations, textsPerS } = await observe(path, pairs);
    if (calibrate) {
      const baseline = bestSingleThreshold(observations, target);
      const fitted = fitVerifier(observations, target, Number(opts.get('verifier-low') ?? 0.7));
      const out = {
        model: path.embedder.model,
        calibrated_on: { file: basename(file), rows: { from: pairs[0]!.row, to: pairs[pairs.length - 1]!.row }, pairs: pairs.length },
        target_false_hit_rate: target,
        threshold: fitted.threshold,
        verifier: fitted.verifier,
        baseline_threshold: baseline,
        on_calibration_pairs: { verifier: rate(observations, fitted), single_threshold: rate(observations, { threshold: baseline }) },
      };
      writeFileSync(opts.get('calibration-out') ?? CALIBRATION_FILE, `${JSON.stringify(out, null, 2)}\n`);
      console.log(JSON.stringify(out, null, 2));
      return;
    }
    // The service's default is the calibrated single threshold; the verifier is reported beside it (ADR 0010).
    const verifier: SemanticPolicy = { threshold: calibration.threshold, ...(calibration.verifier ? { verifier: calibration.verifier } : {}) };
    const report = {
      model: path.embedder.model,
      vector_store: path.store.kind,
      threshold: calibration.baseline_threshold,
      mechanism: 'single calibrated threshold (the default)',
      pairs: observations.length,
      rows: { from: pairs[0]?.row, to: pairs[pairs.length - 1]?.row, file: basename(file) },
      ...rate(observations, { threshold: calibration.baseline_threshold }),
      second_stage_verifier: { threshold: calibration.threshold, verifier: calibration.verifier, ...rate(observations, verifier) },
      gptcache_default_threshold: { threshold: 0.95, ...rate(observations, { threshold: 0.95 }) },
      curve: curve(observations),
      // Through the Redis embedding cache: a second run over the same pairs measures the cache, not the model.
      embedding_texts_per_s: Math.round(textsPerS * 10) / 10,
    };
    const out = resolve(opts.get('out') ?? '.local/reports/bench-cache.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    const { curve: _curve, ...summary } = report;
    console.log(JSON.stringify(summary, null, 2));
    console.log(`written to ${out}`);
  } finally {
    await path.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
