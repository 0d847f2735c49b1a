/**
 * Semantic cache accuracy on labelled question pairs (QQP as packaged by GPTCache, ../shared/data/qqp-pairs):
 * stores an answer for each text_a through the cache's real store path, asks each text_b through the real lookup
 * path (same tenant, same context), and rates the hits: a label-1 pair should hit its own text_a's answer, a
 * label-0 pair must not hit at all.
 *
 *   npm run bench:cache -- --pairs <jsonl> --out <file.json> [--limit N] [--offset N]
 *   npm run bench:cache -- --calibrate --pairs ../shared/data/qqp-pairs/qqp_pairs_part1.jsonl [--limit N]
 *
 * --calibrate fits the policies on the first N pairs of part 1 (default 12,000): the token-alignment and the
 * embedding-pair classifiers are trained on the first --fit pairs (default 8,000), their cutoffs are chosen on
 * the rest through the real cache path, and semantic-calibration.json, semantic-token-alignment.json and
 * semantic-pair-classifier.json are written. A normal run reads them and skips the rows they were fitted on, so
 * it reports on pairs calibration never saw.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ChatCompletion, LlmRequestV1 } from '@llm/contracts';
import { answeredResult } from '@llm/result-stream';
import { cosine, type TokenStates } from '@llm/embeddings';
import { PairClassifier, pairVectorFeatures, trainPairClassifier, type PairClassifierModel } from '../src/semantic-cache/pair-classifier';
import { decide, fitLogistic, needsClassifier, pairFeatures, type ClassifierStage, type SemanticPolicy, type VerifierModel } from '../src/semantic-cache/semantic-decision';
import { semanticQuestion } from '../src/semantic-cache/semantic-key';
import { alignmentFeatures, IdfTable, TokenAlignmentClassifier, trainTokenAlignment, type TokenAlignmentModel } from '../src/semantic-cache/token-alignment';
import { cacheConfigSchema } from '../src/config/cache.config';
import { StoreSemanticCommand } from '../src/semantic-cache/use-cases/store-semantic/store-semantic.command';
import type { PairVerifier } from '../src/semantic-cache/pair-verifier';
import { args, semanticCachePath, type CachePath } from './bench-support';

interface Pair {
  row: number;
  text_a: string;
  text_b: string;
  label: 0 | 1;
}

interface Observation {
  row: number;
  label: 0 | 1;
  similarity: number;
  /** The nearest entry is this pair's own text_a. */
  own: boolean;
  query: string;
  candidate: string;
  queryVector: Float32Array;
  candidateVector?: Float32Array;
  queryTokens?: TokenStates;
  candidateTokens?: TokenStates;
  /** The second stage's probability (set for similarities it may be asked about). */
  probability?: number;
}

/** Below this similarity no policy asks a second stage, so observations keep no candidate vector. */
const SECOND_STAGE_FLOOR = 0.5;

interface Rates {
  duplicate_hit_rate: number;
  false_hit_rate: number;
  precision: number;
  hits: number;
  /** Label-1 queries that hit another pair's entry (counted as wrong in precision). */
  wrong_entry_hits: number;
}

const CALIBRATION_FILE = resolve('apps/cache/src/semantic-cache/semantic-calibration.json');
const CLASSIFIER_FILE = resolve('apps/cache/src/semantic-cache/semantic-pair-classifier.json');
const ALIGNMENT_FILE = resolve('apps/cache/src/semantic-cache/semantic-token-alignment.json');
const question = (text: string) => semanticQuestion({ model: 'auto', messages: [{ role: 'user', content: text }] });
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

/**
 * QQP re-uses questions across pairs, so the more pairs share one index the more often a query meets another
 * pair's copy of its question, which the labels cannot judge. Each `indexSize` pairs therefore get their own
 * tenant (1,500 as in ADR 0010's figures), which keeps runs of any length comparable.
 */
async function observe(path: CachePath, pairs: readonly Pair[], indexSize: number): Promise<{ observations: Observation[]; textsPerS: number }> {
  // Warm the embedding cache in batches (what a busy service sees); this also measures throughput.
  const texts = [...new Set(pairs.flatMap((p) => [p.text_a, p.text_b]).map((t) => semanticQuestion({ model: 'auto', messages: [{ role: 'user', content: t }] })))].filter(
    (t): t is string => t !== undefined,
  );
  const started = Date.now();
  for (let i = 0; i < texts.length; i += 256) {
    // With token states when the embedder has them: one model run caches both (as the lookup path does).
    if (path.embedder.embedTokens) await path.embedder.embedTokens(texts.slice(i, i + 256));
    else await path.embedder.embed(texts.slice(i, i + 256));
    process.stderr.write(`\rembedded ${Math.min(i + 256, texts.length)}/${texts.length}`);
  }
  const textsPerS = texts.length / ((Date.now() - started) / 1000);
  process.stderr.write(` (${textsPerS.toFixed(1)} texts/s)\n`);
  const observations: Observation[] = [];
  for (let i = 0; i < pairs.length; i += indexSize) observations.push(...(await observeOneIndex(path, pairs.slice(i, i + indexSize))));
  return { observations, textsPerS };
}

async function observeOneIndex(path: CachePath, pairs: readonly Pair[]): Promise<Observation[]> {
  const tenant = `bench-${randomUUID().slice(0, 8)}`;

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
    const similarity = best?.similarity ?? -1;
    // Through the Redis embedding cache, as the verifiers get them on the lookup path.
    const candidateVector = best && similarity >= SECOND_STAGE_FLOOR ? (await path.embedder.embed([best.question]))[0] : undefined;
    const tokens = best && similarity >= SECOND_STAGE_FLOOR && path.embedder.embedTokens ? await path.embedder.embedTokens([prepared.pending.question, best.question]) : undefined;
    observations.push({
      row: pair.row,
      label: pair.label,
      similarity,
      own: best?.question === own,
      query: prepared.pending.question,
      candidate: best?.question ?? '',
      queryVector: prepared.vector,
      ...(candidateVector ? { candidateVector } : {}),
      ...(tokens ? { queryTokens: tokens[0]!.tokens, candidateTokens: tokens[1]!.tokens } : {}),
    });
  }
  await path.repository.purge(tenant, {});
  return observations;
}

function rate(observations: readonly Observation[], policy: SemanticPolicy): Rates {
  let positives = 0;
  let negatives = 0;
  let truePositive = 0;
  let falseHits = 0;
  let wrongEntry = 0;
  for (const o of observations) {
    const verdict = decide(o.similarity, o.query, o.candidate, policy, o.probability);
    if (needsClassifier(o.similarity, policy) && o.probability === undefined) throw new Error('observation lacks the classifier probability');
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

function withProbabilities(observations: readonly Observation[], classifier: PairClassifier): Observation[] {
  return observations.map((o) => (o.candidateVector ? { ...o, probability: classifier.probability(o.similarity, o.queryVector, o.candidateVector) } : o));
}

/**
 * Trains the classifier on labelled pairs (each text_b against its own text_a, similarity at least `low`), then
 * picks the accept-outright threshold and the cutoff on observations of other pairs through the real path.
 */
async function fitClassifier(
  path: CachePath,
  training: readonly Pair[],
  validation: readonly Observation[],
  target: number,
  low: number,
): Promise<{ model: PairClassifierModel; stage: ClassifierStage & { threshold: number }; validation: Observation[] }> {
  const samples: { features: Float32Array; label: 0 | 1 }[] = [];
  for (let i = 0; i < training.length; i += 256) {
    const batch = training.slice(i, i + 256).flatMap((p) => {
      const a = question(p.text_a);
      const b = question(p.text_b);
      return a === undefined || b === undefined ? [] : [{ a, b, label: p.label }];
    });
    const vectors = await path.embedder.embed(batch.flatMap((p) => [p.a, p.b]));
    batch.forEach((p, j) => {
      const u = vectors[2 * j]!;
      const v = vectors[2 * j + 1]!;
      const similarity = cosine(u, v);
      if (similarity >= low) samples.push({ features: pairVectorFeatures(similarity, u, v), label: p.label });
    });
  }
  const started = Date.now();
  const model = trainPairClassifier(samples, { embeddingModel: path.embedder.model, dimensions: path.embedder.dimensions });
  process.stderr.write(`trained the pair classifier on ${samples.length} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const scored = withProbabilities(validation, PairClassifier.fromModel(model));
  let best = { threshold: 1.01, cutoff: 1, dhr: -1 };
  for (const threshold of [...grid(0.95, 0.995, 0.005), 1.01]) {
    for (const cutoff of grid(0.05, 0.99, 0.01)) {
      const r = rate(scored, { threshold, classifier: { low, cutoff } });
      if (r.false_hit_rate <= target && r.duplicate_hit_rate > best.dhr) best = { threshold, cutoff, dhr: r.duplicate_hit_rate };
    }
  }
  return { model, stage: { low, cutoff: best.cutoff, threshold: best.threshold }, validation: scored };
}

/**
 * Trains the token-alignment classifier on labelled pairs (each text_b against its own text_a, similarity at
 * least `low`; the IDF table from the same training questions), then picks the accept-outright threshold and the
 * cutoff on observations of other pairs through the real path.
 */
async function fitAlignment(
  path: CachePath,
  training: readonly Pair[],
  validation: readonly Observation[],
  target: number,
  low: number,
): Promise<{ model: TokenAlignmentModel; stage: ClassifierStage & { threshold: number }; validation: Observation[]; samples: number }> {
  if (!path.embedder.embedTokens) throw new Error(`${path.embedder.model} has no token states: the alignment stage cannot be trained`);
  const embedded: { a: string; b: string; label: 0 | 1; ta: TokenStates; tb: TokenStates; similarity: number }[] = [];
  for (let i = 0; i < training.length; i += 256) {
    const batch = training.slice(i, i + 256).flatMap((p) => {
      const a = question(p.text_a);
      const b = question(p.text_b);
      return a === undefined || b === undefined ? [] : [{ a, b, label: p.label }];
    });
    const out = await path.embedder.embedTokens(batch.flatMap((p) => [p.a, p.b]));
    batch.forEach((p, j) => {
      const ea = out[2 * j]!;
      const eb = out[2 * j + 1]!;
      embedded.push({ ...p, ta: ea.tokens, tb: eb.tokens, similarity: cosine(ea.vector, eb.vector) });
    });
  }
  const documents = new Map<string, number[]>();
  for (const e of embedded) {
    documents.set(e.a, e.ta.ids);
    documents.set(e.b, e.tb.ids);
  }
  const idf = IdfTable.fromDocuments([...documents.values()]);
  const samples = embedded.flatMap((e) => {
    if (e.similarity < low) return [];
    const features = alignmentFeatures(e.similarity, { text: e.b, tokens: e.tb }, { text: e.a, tokens: e.ta }, idf);
    return features ? [{ features, label: e.label }] : [];
  });
  const started = Date.now();
  const model = trainTokenAlignment(samples, { embeddingModel: path.embedder.model, idf });
  process.stderr.write(`trained the token-alignment classifier on ${samples.length} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const classifier = TokenAlignmentClassifier.fromModel(model);
  const scored = validation.map((o) =>
    o.queryTokens && o.candidateTokens
      ? { ...o, probability: classifier.probability(o.similarity, { text: o.query, tokens: o.queryTokens }, { text: o.candidate, tokens: o.candidateTokens }) }
      : o,
  );
  let best = { threshold: 1.01, cutoff: 1, dhr: -1 };
  for (const threshold of [...grid(0.95, 0.995, 0.005), 1.01]) {
    for (const cutoff of grid(0.05, 0.99, 0.01)) {
      const r = rate(scored, { threshold, classifier: { low, cutoff } });
      if (r.false_hit_rate <= target && r.duplicate_hit_rate > best.dhr) best = { threshold, cutoff, dhr: r.duplicate_hit_rate };
    }
  }
  return { model, stage: { low, cutoff: best.cutoff, threshold: best.threshold }, validation: scored, samples: samples.length };
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
  const limit = Number(opts.get('limit') ?? (calibrate ? 12_000 : 3000));
  const fit = Number(opts.get('fit') ?? 8_000);
  const offset = Number(opts.get('offset') ?? 0);
  const target = Number(opts.get('target-false-hit-rate') ?? 0.015);
  const all = readPairs(file);
  const calibration = JSON.parse(readFileSync(CALIBRATION_FILE, 'utf8')) as {
    model: string;
    threshold: number;
    baseline_threshold: number;
    verifier?: VerifierModel;
    classifier?: ClassifierStage & { threshold: number };
    alignment?: ClassifierStage & { threshold: number };
    calibrated_on?: { file: string; rows: { from: number; to: number } };
  };
  const seen = (p: Pair) => calibration.calibrated_on?.file === basename(file) && p.row >= calibration.calibrated_on.rows.from && p.row <= calibration.calibrated_on.rows.to;
  const pairs = calibrate ? all.slice(offset, offset + limit) : all.filter((p) => !seen(p)).slice(offset, offset + limit);
  process.stderr.write(`${calibrate ? 'calibrating on' : 'evaluating'} ${pairs.length} pairs of ${basename(file)} (rows ${pairs[0]?.row}..${pairs[pairs.length - 1]?.row})\n`);

  const path = await semanticCachePath();
  try {
    const { observations, textsPerS } = await observe(path, pairs, Number(opts.get('index-size') ?? 1500));
    if (calibrate) {
      const baseline = bestSingleThreshold(observations, target);
      const fitted = fitVerifier(observations, target, Number(opts.get('verifier-low') ?? 0.7));
      const validationRows = new Set(pairs.slice(fit).map((p) => p.row));
      const validation = observations.filter((o) => validationRows.has(o.row));
      const classifier = await fitClassifier(path, pairs.slice(0, fit), validation, target, Number(opts.get('classifier-low') ?? 0.6));
      const alignment = await fitAlignment(path, pairs.slice(0, fit), validation, target, Number(opts.get('alignment-low') ?? 0.6));
      const out = {
        model: path.embedder.model,
        calibrated_on: { file: basename(file), rows: { from: pairs[0]!.row, to: pairs[pairs.length - 1]!.row }, pairs: pairs.length },
        target_false_hit_rate: target,
        alignment: alignment.stage,
        alignment_training_pairs: alignment.samples,
        classifier: classifier.stage,
        classifier_trained_on: { rows: { from: pairs[0]!.row, to: pairs[fit - 1]!.row }, cutoff_chosen_on: { from: pairs[fit]?.row, to: pairs[pairs.length - 1]!.row } },
        threshold: fitted.threshold,
        verifier: fitted.verifier,
        baseline_threshold: baseline,
        on_calibration_pairs: {
          alignment_on_cutoff_rows: rate(alignment.validation, { threshold: alignment.stage.threshold, classifier: alignment.stage }),
          classifier_on_cutoff_rows: rate(classifier.validation, { threshold: classifier.stage.threshold, classifier: classifier.stage }),
          single_threshold_on_cutoff_rows: rate(validation, { threshold: baseline }),
          verifier: rate(observations, fitted),
          single_threshold: rate(observations, { threshold: baseline }),
        },
      };
      writeFileSync(opts.get('calibration-out') ?? CALIBRATION_FILE, `${JSON.stringify(out, null, 2)}\n`);
      writeFileSync(opts.get('classifier-out') ?? CLASSIFIER_FILE, `${JSON.stringify(classifier.model, null, 2)}\n`);
      writeFileSync(opts.get('alignment-out') ?? ALIGNMENT_FILE, `${JSON.stringify(alignment.model, null, 2)}\n`);
      console.log(JSON.stringify(out, null, 2));
      return;
    }
    // The configured default decision heads the report; every other policy is rated on the same observations.
    const lexical: SemanticPolicy = { threshold: calibration.threshold, ...(calibration.verifier ? { verifier: calibration.verifier } : {}) };
    const stage = calibration.classifier;
    const alignmentStage = calibration.alignment;
    if (!stage || !alignmentStage || !path.verifier || !path.alignment) throw new Error('no calibrated second stages for this embedding model: run --calibrate first');
    /** Each observation that may reach a second stage, scored through the real verifier (candidate from Redis). */
    const scoreWith = async (verifier: PairVerifier): Promise<{ scored: Observation[]; msPerCall: number }> => {
      const scored: Observation[] = [];
      const started = Date.now();
      let asked = 0;
      for (const o of observations) {
        if (!o.candidateVector) {
          scored.push(o);
          continue;
        }
        asked++;
        const pair = { similarity: o.similarity, query: o.query, queryVector: o.queryVector, ...(o.queryTokens ? { queryTokens: o.queryTokens } : {}), candidate: o.candidate };
        scored.push({ ...o, probability: await verifier.probability(pair) });
      }
      return { scored, msPerCall: Math.round(((Date.now() - started) / Math.max(1, asked)) * 1000) / 1000 };
    };
    const classifier = await scoreWith(path.verifier);
    const aligned = await scoreWith(path.alignment);
    const classifierPolicy: SemanticPolicy = { threshold: stage.threshold, classifier: stage };
    const alignmentPolicy: SemanticPolicy = { threshold: alignmentStage.threshold, classifier: alignmentStage };
    const share = (policy: SemanticPolicy) =>
      Math.round((observations.filter((o) => needsClassifier(o.similarity, policy)).length / Math.max(1, observations.length)) * 10_000) / 10_000;
    const policies = {
      alignment: {
        mechanism: `token-alignment classifier on similarities in [${alignmentStage.low}, ${alignmentStage.threshold}), cutoff ${alignmentStage.cutoff} (SEMANTIC_CACHE_DECISION=alignment)`,
        threshold: alignmentStage.threshold,
        ...rate(aligned.scored, alignmentPolicy),
        second_stage_share_of_lookups: share(alignmentPolicy),
        second_stage_ms_per_call: aligned.msPerCall,
      },
      classifier: {
        mechanism: `embedding-pair classifier on similarities in [${stage.low}, ${stage.threshold}), cutoff ${stage.cutoff} (SEMANTIC_CACHE_DECISION=classifier)`,
        threshold: stage.threshold,
        ...rate(classifier.scored, classifierPolicy),
        second_stage_share_of_lookups: share(classifierPolicy),
        second_stage_ms_per_call: classifier.msPerCall,
      },
      threshold: {
        mechanism: 'calibrated single threshold (SEMANTIC_CACHE_DECISION=threshold)',
        threshold: calibration.baseline_threshold,
        ...rate(observations, { threshold: calibration.baseline_threshold }),
      },
      lexical: {
        mechanism: 'threshold + lexical verifier (SEMANTIC_CACHE_DECISION=lexical)',
        threshold: calibration.threshold,
        verifier: calibration.verifier,
        ...rate(observations, lexical),
      },
    };
    const decision = cacheConfigSchema.shape.SEMANTIC_CACHE_DECISION.parse(opts.get('decision') ?? undefined);
    const { mechanism, threshold, ...headline } = policies[decision];
    const report = {
      model: path.embedder.model,
      vector_store: path.store.kind,
      decision,
      mechanism,
      threshold,
      pairs: observations.length,
      rows: { from: pairs[0]?.row, to: pairs[pairs.length - 1]?.row, file: basename(file) },
      ...headline,
      policies,
      gptcache_default_threshold: { threshold: 0.95, ...rate(observations, { threshold: 0.95 }) },
      curve: curve(observations),
      alignment_curve: grid(0.05, 0.95, 0.05).map((cutoff) => ({
        cutoff,
        ...rate(aligned.scored, { threshold: alignmentStage.threshold, classifier: { low: alignmentStage.low, cutoff } }),
      })),
      classifier_curve: grid(0.05, 0.95, 0.05).map((cutoff) => ({ cutoff, ...rate(classifier.scored, { threshold: stage.threshold, classifier: { low: stage.low, cutoff } }) })),
      // Through the Redis embedding cache: a second run over the same pairs measures the cache, not the model.
      embedding_texts_per_s: Math.round(textsPerS * 10) / 10,
    };
    const out = resolve(opts.get('out') ?? '.local/reports/bench-cache.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    const { curve: _curve, classifier_curve: _classifierCurve, alignment_curve: _alignmentCurve, ...summary } = report;
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
