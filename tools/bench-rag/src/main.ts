/**
 * `npm run bench:rag -- --passages <jsonl> --qa <jsonl> --out <file.json> [--calibrate]` (after `npm run build`).
 *
 * Retrieval quality of the retriever's search path (libs/rag CollectionSearcher: the local embedding model, the
 * embedded vector index and the in-process BM25 index, or both in Qdrant when QDRANT_URL is set, reciprocal
 * rank fusion) on SQuAD 2.0 paragraphs: every
 * passage is chunked like an ingested document and indexed in one tenant's collection; every answerable
 * question must find its own passage. Prints recall@1, recall@5 and MRR@10 for dense, BM25 and hybrid.
 *
 * Fitted on the even rows of the QA file, reported on all rows and on the odd rows (which no fit saw):
 * - the fusion parameters (RRF k and the dense list's weight, on a small grid, by recall@5 then MRR);
 * - the decline threshold: the pipeline declines when the best dense cosine among its hits is below it
 *   (the highest threshold that wrongly declines at most 5 % of answerable questions; the Youden-optimal one,
 *   which trades the two errors evenly, is reported beside it).
 * `--calibrate` fits and writes both to libs/rag/src/rag-calibration.json (the retriever's defaults); without
 * it the bench uses that file as it is.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { defaultLocalModelDir, OnnxSentenceEmbedder, type Embedder } from '@llm/embeddings';
import {
  Bm25Index,
  chunkDocument,
  chunkVectorPoints,
  documentSparseVector,
  inProcessLexical,
  qdrantLexical,
  CollectionSearcher,
  RAG_CALIBRATION,
  reciprocalRankFusion,
  shouldDecline,
  type FusionParams,
  type HybridHit,
  type RetrieverMode,
} from '@llm/rag';
import { loadConfig, vectorStoreSchema } from '@llm/config';
import { createVectorStore, QdrantSparseIndex, type Payload } from '@llm/vector-store';

interface Passage {
  passage_id: string;
  title: string;
  context: string;
}

interface Question {
  row: number;
  question: string;
  passage_id: string;
  is_impossible: boolean;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

const MODES: RetrieverMode[] = ['dense', 'lexical', 'hybrid'];
const LABEL: Record<RetrieverMode, string> = { dense: 'dense', lexical: 'bm25', hybrid: 'hybrid' };
const DEPTH = 10;
const COLLECTION = 'squad';
const CALIBRATION_FILE = resolve('libs/rag/src/rag-calibration.json');
/** Declining an answerable question loses a good answer: the threshold may do it to at most 5 % of them. */
const MAX_FALSE_DECLINE = 0.05;

/** Questions are embedded once, whichever mode asks. */
class MemoEmbedder implements Embedder {
  private readonly memo = new Map<string, Float32Array>();
  constructor(private readonly inner: Embedder) {}
  get model() {
    return this.inner.model;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !this.memo.has(t)))];
    if (missing.length) (await this.inner.embed(missing)).forEach((v, i) => this.memo.set(missing[i]!, v));
    return texts.map((t) => this.memo.get(t)!);
  }
}

async function main(): Promise<void> {
  const passagesFile = arg('passages');
  const qaFile = arg('qa');
  const out = arg('out');
  if (!passagesFile || !qaFile || !out) throw new Error('usage: npm run bench:rag -- --passages <jsonl> --qa <jsonl> --out <file.json> [--calibrate]');
  const passages = readJsonl<Passage>(passagesFile);
  const questions = readJsonl<Question>(qaFile);

  const embedder = new MemoEmbedder(await OnnxSentenceEmbedder.load({ dir: defaultLocalModelDir() }));
  const dir = mkdtempSync(join(tmpdir(), 'bench-rag-'));
  // The retriever's stores as configured: with QDRANT_URL, dense and BM25 (sparse vectors) both in Qdrant.
  const { QDRANT_URL, QDRANT_API_KEY } = loadConfig(vectorStoreSchema);
  const store = createVectorStore({ QDRANT_URL, QDRANT_API_KEY, VECTOR_INDEX_DIR: dir });
  const tenant = `bench-${randomBytes(4).toString('hex')}`;
  const sparse = QDRANT_URL
    ? (await new QdrantSparseIndex(QDRANT_URL, { name: 'bench-rag', indexedFields: ['collection', 'document_id'] }, QDRANT_API_KEY).ensure()).forTenant(tenant)
    : undefined;
  const index = await store.index({ name: 'bench-rag', model: embedder.model, dimensions: embedder.dimensions, indexedFields: ['collection', 'document_id'] });
  const vectors = index.forTenant(tenant);
  try {
    const bm25 = new Bm25Index<Payload>();

    const started = Date.now();
    const chunks = passages.flatMap((p) =>
      chunkDocument({ content: p.context, format: 'text', title: p.title }).map((c) => ({ id: `${p.passage_id}#${c.ordinal}`, text: c.text, document: p.passage_id })),
    );
    const points = await chunkVectorPoints(
      embedder,
      chunks.map((c) => ({ id: c.id, text: c.text, payload: { collection: COLLECTION, document_id: c.document } })),
    );
    await vectors.upsert(points);
    for (const c of chunks) bm25.add(c.id, c.text, { collection: COLLECTION, document_id: c.document });
    await sparse?.upsert(chunks.map((c) => ({ id: c.id, vector: documentSparseVector(c.text), payload: { collection: COLLECTION, document_id: c.document } })));
    const lexical = sparse ? qdrantLexical(sparse) : inProcessLexical(bm25);
    const indexMs = Date.now() - started;

    const searcher = new CollectionSearcher(embedder, vectors, lexical, COLLECTION);
    const documentOf = (chunkId: string) => chunkId.slice(0, chunkId.lastIndexOf('#'));
    const ranked = (hits: readonly HybridHit[]) => [...new Set(hits.map((h) => documentOf(h.id)))];

    const qStarted = Date.now();
    await embedder.embed(questions.map((q) => q.question));
    const calibrate = process.argv.includes('--calibrate');
    const fusion = calibrate
      ? await fitFusion(
          searcher,
          questions.filter((q) => !q.is_impossible && q.row % 2 === 0),
          documentOf,
        )
      : RAG_CALIBRATION.fusion;
    const results = new Map<RetrieverMode, HybridHit[][]>();
    for (const mode of MODES) {
      const perQuestion: HybridHit[][] = [];
      for (const q of questions) perQuestion.push(await searcher.search(q.question, { topK: DEPTH, mode, fusion }));
      results.set(mode, perQuestion);
    }
    const searchMs = Date.now() - qStarted;

    const score = (mode: RetrieverMode, rows: 'all' | 'odd') => {
      let r1 = 0;
      let r5 = 0;
      let rr = 0;
      let n = 0;
      questions.forEach((q, i) => {
        if (q.is_impossible || (rows === 'odd' && q.row % 2 === 0)) return;
        n++;
        const rank = ranked(results.get(mode)![i]!).indexOf(q.passage_id) + 1;
        if (rank === 1) r1++;
        if (rank >= 1 && rank <= 5) r5++;
        if (rank >= 1) rr += 1 / rank;
      });
      return { questions: n, recall_at_1: r1 / n, recall_at_5: r5 / n, mrr_at_10: rr / n };
    };
    const answerable = questions.filter((q) => !q.is_impossible);
    const retrieval = Object.fromEntries(MODES.map((mode) => [LABEL[mode], score(mode, 'all')]));
    const retrievalOdd = Object.fromEntries(MODES.map((mode) => [LABEL[mode], score(mode, 'odd')]));

    // Declining: fit on even rows, report on odd rows (the hybrid hits, as the retriever uses them).
    const hybrid = results.get('hybrid')!;
    const split = (parity: number) => questions.map((q, i) => ({ q, hits: hybrid[i]! })).filter(({ q }) => q.row % 2 === parity);
    const fit = split(0);
    const held = split(1);
    const declineRates = (set: typeof fit, threshold: number) => {
      const share = (items: typeof fit) => (items.length ? items.filter((x) => shouldDecline(x.hits, threshold)).length / items.length : 0);
      const un = set.filter((x) => x.q.is_impossible);
      const an = set.filter((x) => !x.q.is_impossible);
      return { unanswerable: un.length, answerable: an.length, declined_unanswerable: share(un), declined_answerable: share(an) };
    };
    const candidates = [...new Set(fit.map(({ hits }) => Math.max(...hits.map((h) => h.dense ?? -1))))].sort((a, b) => a - b);
    let youden = { threshold: 0, j: -Infinity };
    let bounded = -1;
    for (const value of candidates) {
      const threshold = value + 1e-6;
      const r = declineRates(fit, threshold);
      const j = r.declined_unanswerable - r.declined_answerable;
      if (j > youden.j) youden = { threshold, j };
      if (r.declined_answerable <= MAX_FALSE_DECLINE) bounded = threshold;
    }
    const threshold = calibrate ? Number(bounded.toFixed(4)) : RAG_CALIBRATION.threshold;
    const youdenThreshold = Number(youden.threshold.toFixed(4));

    const report = {
      dataset: {
        passages: passagesFile,
        qa: qaFile,
        passages_count: passages.length,
        chunks: chunks.length,
        embedding_windows: points.length,
        questions: questions.length,
        answerable: answerable.length,
      },
      setup: {
        embedder: embedder.model,
        vector_index: store.kind,
        lexical: sparse ? 'Qdrant sparse vectors, idf modifier (BM25 k1 1.2, b 0.75, avgdl 180)' : 'in-process BM25 (k1 1.2, b 0.75)',
        fusion: { method: 'reciprocal rank fusion, 4 x top-k candidates per retriever', ...fusion, fitted_now: calibrate },
        rerank: 'none',
        depth: DEPTH,
      },
      retrieval,
      retrieval_odd_rows_unseen_by_fit: retrievalOdd,
      hybrid_beats_both_on_recall_at_5: retrieval.hybrid!.recall_at_5 > retrieval.dense!.recall_at_5 && retrieval.hybrid!.recall_at_5 > retrieval.bm25!.recall_at_5,
      hybrid_beats_both_on_recall_at_5_odd_rows:
        retrievalOdd.hybrid!.recall_at_5 > retrievalOdd.dense!.recall_at_5 && retrievalOdd.hybrid!.recall_at_5 > retrievalOdd.bm25!.recall_at_5,
      decline: {
        rule: 'decline when the best dense cosine among the hybrid top-10 is below the threshold',
        objective: `the highest threshold that declines at most ${MAX_FALSE_DECLINE * 100} % of answerable questions (even rows)`,
        threshold,
        fitted_on: { rows: 'even', ...declineRates(fit, threshold) },
        reported_on: { rows: 'odd (unseen by the fit)', ...declineRates(held, threshold) },
        alternative_youden: { threshold: youdenThreshold, reported_on: declineRates(held, youdenThreshold) },
      },
      timings_ms: { index: indexMs, search_all_modes: searchMs },
    };

    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    if (process.argv.includes('--calibrate')) {
      writeFileSync(CALIBRATION_FILE, `${JSON.stringify({ threshold, fusion, fitted_on: `${basename(qaFile)} even rows`, rule: report.decline.rule }, null, 2)}\n`);
    }
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    console.log(`passages ${passages.length} (${chunks.length} chunks), answerable questions ${answerable.length}, unanswerable ${questions.length - answerable.length}`);
    console.log(`fusion: RRF k ${fusion.k}, dense weight ${fusion.denseWeight} (${calibrate ? 'fitted now on even rows' : 'from rag-calibration.json'})`);
    for (const [label, table] of [
      ['all answerable questions', retrieval],
      ['odd rows only (unseen by the fit)', retrievalOdd],
    ] as const) {
      console.log(`${label}\nretriever   recall@1  recall@5  MRR@10`);
      for (const [name, r] of Object.entries(table))
        console.log(`${name.padEnd(10)}  ${pct(r.recall_at_1).padStart(8)}  ${pct(r.recall_at_5).padStart(8)}  ${r.mrr_at_10.toFixed(3).padStart(6)}`);
    }
    console.log(
      `hybrid beats both on recall@5: all ${report.hybrid_beats_both_on_recall_at_5 ? 'yes' : 'NO'}, odd rows ${report.hybrid_beats_both_on_recall_at_5_odd_rows ? 'yes' : 'NO'}`,
    );
    const held2 = report.decline.reported_on;
    console.log(
      `declining (threshold ${threshold}, fitted on even rows): unanswerable declined ${pct(held2.declined_unanswerable)} of ${held2.unanswerable}, answerable wrongly declined ${pct(held2.declined_answerable)} of ${held2.answerable} (odd rows)`,
    );
    const alt = report.decline.alternative_youden.reported_on;
    console.log(
      `  (Youden-optimal threshold ${youdenThreshold} instead: unanswerable declined ${pct(alt.declined_unanswerable)}, answerable wrongly declined ${pct(alt.declined_answerable)}, odd rows)`,
    );
    console.log(`report: ${out}`);
  } finally {
    await vectors.deleteByFilter({ equals: { collection: COLLECTION } });
    await sparse?.deleteByFilter({ equals: { collection: COLLECTION } });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Grid over RRF k and the dense weight on the fit rows, from one dense and one lexical ranking per question. */
async function fitFusion(searcher: CollectionSearcher, fitRows: readonly Question[], documentOf: (id: string) => string): Promise<FusionParams> {
  const depth = DEPTH * 4;
  const lists: Array<{ gold: string; dense: string[]; lexical: string[] }> = [];
  for (const q of fitRows) {
    const [dense, lexical] = await Promise.all([searcher.search(q.question, { topK: depth, mode: 'dense' }), searcher.search(q.question, { topK: depth, mode: 'lexical' })]);
    lists.push({ gold: q.passage_id, dense: dense.map((h) => h.id), lexical: lexical.map((h) => h.id) });
  }
  let best: { params: FusionParams; r5: number; mrr: number } | undefined;
  for (const k of [5, 10, 20, 40, 60]) {
    for (const denseWeight of [0.5, 0.7, 1]) {
      let r5 = 0;
      let mrr = 0;
      for (const l of lists) {
        const docs = [
          ...new Set(
            reciprocalRankFusion([l.dense, l.lexical], { k, weights: [denseWeight, 1] })
              .slice(0, DEPTH)
              .map((h) => documentOf(h.id)),
          ),
        ];
        const rank = docs.indexOf(l.gold) + 1;
        if (rank >= 1 && rank <= 5) r5++;
        if (rank >= 1) mrr += 1 / rank;
      }
      if (!best || r5 > best.r5 || (r5 === best.r5 && mrr > best.mrr)) best = { params: { k, denseWeight }, r5, mrr };
    }
  }
  return best!.params;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
