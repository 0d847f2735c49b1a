/**
 * The token-alignment second stage (ADR 0023): judges a borderline pair by aligning the two questions word piece
 * by word piece instead of comparing their pooled vectors. A near-paraphrase that is not a duplicate usually
 * differs in one content token (another number, product, place, a negation); mean pooling averages that token
 * away, a greedy alignment leaves it unmatched. Features (BERTScore-like, on the encoder's token states):
 *
 * - precision / recall / F1 of greedy max-cosine alignment, plain and IDF-weighted (rare word pieces count more);
 * - the worst-aligned token of each side, the lowest 10 % / 25 % of all best alignments, how many tokens align
 *   below 0.5 / 0.6 / 0.7, and the IDF-weighted worst misalignment of each side;
 * - the share of word pieces that occur verbatim on the other side;
 * - lexical differences (content words missing each way, Jaccard, numbers, negation, question word, length);
 * - the pooled cosine.
 *
 * A logistic model over the standardised features gives the probability of "same question". Trained and
 * calibrated on QQP part 1 by the cache benchmark (--calibrate); the model, its feature scaling and the IDF table
 * (document frequencies of word pieces in the training questions) ship in semantic-token-alignment.json, bound to
 * the embedding model whose token states it was trained on.
 */
import { tokenCosine, type TokenStates } from '@llm/embeddings';
import { NEGATIONS, STOPWORDS, stem, words } from './semantic-decision';

export const ALIGNMENT_FEATURES = [
  'cosine',
  'precision',
  'recall',
  'f1',
  'precision_idf',
  'recall_idf',
  'f1_idf',
  'worst_query_token',
  'worst_candidate_token',
  'worst_token',
  'p10_token',
  'p25_token',
  'worst_query_token_idf',
  'worst_candidate_token_idf',
  'tokens_below_0.5',
  'tokens_below_0.6',
  'tokens_below_0.7',
  'query_pieces_verbatim',
  'candidate_pieces_verbatim',
  'min_pieces_verbatim',
  'query_words_missing',
  'candidate_words_missing',
  'content_jaccard',
  'numbers_differ',
  'negation_differs',
  'question_word_differs',
  'first_word_differs',
  'length_ratio',
  'content_size_difference',
  'content_words_not_shared',
] as const;

/** The serialised model (semantic-token-alignment.json). */
export interface TokenAlignmentModel {
  kind: 'token-alignment-logistic-v1';
  embedding_model: string;
  features: string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** Word-piece document frequencies over `documents` training questions: base64 of little-endian uint16 per id. */
  idf: { documents: number; df: string };
}

/** Inverse document frequency of word pieces, log((N + 1) / (df + 1)): an unseen piece is as rare as it gets. */
export class IdfTable {
  private constructor(
    readonly documents: number,
    private readonly df: Uint16Array,
  ) {}

  static fromDocuments(documents: readonly (readonly number[])[]): IdfTable {
    const size = documents.reduce((max, ids) => ids.reduce((m, id) => Math.max(m, id), max), 0) + 1;
    const df = new Uint16Array(size);
    for (const ids of documents) for (const id of new Set(ids)) df[id] = Math.min(65_535, df[id]! + 1);
    return new IdfTable(documents.length, df);
  }

  static decode(encoded: TokenAlignmentModel['idf']): IdfTable {
    const bytes = Buffer.from(encoded.df, 'base64');
    const df = new Uint16Array(bytes.byteLength / 2);
    new Uint8Array(df.buffer).set(bytes);
    return new IdfTable(encoded.documents, df);
  }

  encode(): TokenAlignmentModel['idf'] {
    return { documents: this.documents, df: Buffer.from(this.df.buffer, this.df.byteOffset, this.df.byteLength).toString('base64') };
  }

  idf(id: number): number {
    return Math.log((this.documents + 1) / ((this.df[id] ?? 0) + 1));
  }
}

const QUESTION_WORDS = ['what', 'why', 'how', 'when', 'where', 'who', 'which', 'is', 'are', 'can', 'do', 'does', 'should', 'will', 'would'];

function lexicalFeatures(query: string, candidate: string): number[] {
  const wq = words(query);
  const wc = words(candidate);
  const content = (ws: string[]) => new Set(ws.filter((w) => !STOPWORDS.has(w) && !NEGATIONS.has(w)).map(stem));
  const cq = content(wq);
  const cc = content(wc);
  const notIn = (a: Set<string>, b: Set<string>) => [...a].filter((w) => !b.has(w)).length;
  const union = new Set([...cq, ...cc]);
  const shared = cq.size - notIn(cq, cc);
  const numbers = (ws: string[]) =>
    ws
      .filter((w) => /\d/.test(w))
      .sort()
      .join(' ');
  const negated = (ws: string[]) => ws.some((w) => NEGATIONS.has(w));
  const questionWord = (ws: string[]) => ws.find((w) => QUESTION_WORDS.includes(w)) ?? '';
  return [
    cq.size === 0 ? 0 : notIn(cq, cc) / cq.size,
    cc.size === 0 ? 0 : notIn(cc, cq) / cc.size,
    union.size === 0 ? 1 : shared / union.size,
    numbers(wq) === numbers(wc) ? 0 : 1,
    negated(wq) === negated(wc) ? 0 : 1,
    questionWord(wq) === questionWord(wc) ? 0 : 1,
    wq[0] === wc[0] ? 0 : 1,
    Math.min(wq.length, wc.length) / Math.max(1, wq.length, wc.length),
    Math.abs(cq.size - cc.size),
    notIn(cq, cc) + notIn(cc, cq),
  ];
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const weightedMean = (xs: readonly number[], ws: readonly number[]) =>
  xs.reduce((s, x, i) => s + x * ws[i]!, 0) /
  Math.max(
    1e-9,
    ws.reduce((s, w) => s + w, 0),
  );
const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * The feature vector (ALIGNMENT_FEATURES order) of a query and a cached candidate, or undefined when either has
 * no word pieces (nothing to align).
 */
export function alignmentFeatures(
  similarity: number,
  query: { text: string; tokens: TokenStates },
  candidate: { text: string; tokens: TokenStates },
  idf: IdfTable,
): number[] | undefined {
  const q = query.tokens;
  const c = candidate.tokens;
  const nq = q.ids.length;
  const nc = c.ids.length;
  if (nq === 0 || nc === 0 || q.dims !== c.dims) return undefined;
  const bestQ = new Array<number>(nq).fill(-1);
  const bestC = new Array<number>(nc).fill(-1);
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < nc; j++) {
      const s = tokenCosine(q, i, c, j);
      if (s > bestQ[i]!) bestQ[i] = s;
      if (s > bestC[j]!) bestC[j] = s;
    }
  }
  const idfQ = q.ids.map((id) => idf.idf(id));
  const idfC = c.ids.map((id) => idf.idf(id));
  // Recall is over the query's tokens (does the candidate cover what was asked), precision over the candidate's.
  const recall = mean(bestQ);
  const precision = mean(bestC);
  const recallIdf = weightedMean(bestQ, idfQ);
  const precisionIdf = weightedMean(bestC, idfC);
  const all = [...bestQ, ...bestC];
  const worstWeighted = (best: number[], weights: number[]) => Math.max(...best.map((b, i) => (1 - b) * weights[i]!));
  const idsQ = new Set(q.ids);
  const idsC = new Set(c.ids);
  const verbatimQ = q.ids.filter((id) => idsC.has(id)).length / nq;
  const verbatimC = c.ids.filter((id) => idsQ.has(id)).length / nc;
  const below = (t: number) => all.filter((b) => b < t).length;
  return [
    similarity,
    precision,
    recall,
    f1(precision, recall),
    precisionIdf,
    recallIdf,
    f1(precisionIdf, recallIdf),
    Math.min(...bestQ),
    Math.min(...bestC),
    Math.min(...all),
    quantile(all, 0.1),
    quantile(all, 0.25),
    worstWeighted(bestQ, idfQ),
    worstWeighted(bestC, idfC),
    below(0.5),
    below(0.6),
    below(0.7),
    verbatimQ,
    verbatimC,
    Math.min(verbatimQ, verbatimC),
    ...lexicalFeatures(query.text, candidate.text),
  ];
}

export class TokenAlignmentClassifier {
  private constructor(
    readonly embeddingModel: string,
    readonly idf: IdfTable,
    private readonly model: TokenAlignmentModel,
  ) {}

  static fromModel(model: TokenAlignmentModel): TokenAlignmentClassifier {
    if (model.kind !== 'token-alignment-logistic-v1') throw new Error(`token alignment: unknown kind ${String(model.kind)}`);
    const n = ALIGNMENT_FEATURES.length;
    if (model.features.join() !== ALIGNMENT_FEATURES.join() || [model.mean, model.scale, model.weights].some((a) => a.length !== n)) {
      throw new Error('token alignment: the model was trained on another feature set');
    }
    return new TokenAlignmentClassifier(model.embedding_model, IdfTable.decode(model.idf), model);
  }

  /** Probability that the two questions ask the same thing; 0 when there is nothing to align. */
  probability(similarity: number, query: { text: string; tokens: TokenStates }, candidate: { text: string; tokens: TokenStates }): number {
    const features = alignmentFeatures(similarity, query, candidate, this.idf);
    return features ? this.score(features) : 0;
  }

  score(features: readonly number[]): number {
    const m = this.model;
    let z = m.bias;
    features.forEach((x, i) => (z += m.weights[i]! * ((x - m.mean[i]!) / m.scale[i]!)));
    return 1 / (1 + Math.exp(-z));
  }
}

/**
 * Fits the logistic model on standardised features by full-batch gradient descent with a small L2 penalty
 * (deterministic: zero initialisation, no sampling). A few thousand pairs take about a second.
 */
export function trainTokenAlignment(
  samples: readonly { features: readonly number[]; label: 0 | 1 }[],
  meta: { embeddingModel: string; idf: IdfTable },
  options: { epochs?: number; rate?: number; l2?: number } = {},
): TokenAlignmentModel {
  const { epochs = 1_500, rate = 0.5, l2 = 1e-3 } = options;
  const n = ALIGNMENT_FEATURES.length;
  if (samples.length === 0) throw new Error('token alignment: no training samples');
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  // Rounded before training so the shipped scaling is exactly the one the weights were fitted under; a constant
  // feature gets scale 1 (it then only moves the bias).
  const mu = Array.from({ length: n }, (_, d) => round(mean(samples.map((s) => s.features[d]!))));
  const scale = Array.from({ length: n }, (_, d) => {
    const sd = round(Math.sqrt(mean(samples.map((s) => (s.features[d]! - mu[d]!) ** 2))));
    return sd > 0 ? sd : 1;
  });
  const x = samples.map((s) => s.features.map((v, d) => (v - mu[d]!) / scale[d]!));
  const weights = new Array<number>(n).fill(0);
  let bias = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const grad = new Array<number>(n).fill(0);
    let gradBias = 0;
    x.forEach((row, k) => {
      let z = bias;
      for (let d = 0; d < n; d++) z += weights[d]! * row[d]!;
      const error = 1 / (1 + Math.exp(-z)) - samples[k]!.label;
      for (let d = 0; d < n; d++) grad[d]! += error * row[d]!;
      gradBias += error;
    });
    for (let d = 0; d < n; d++) weights[d]! -= rate * (grad[d]! / x.length + l2 * weights[d]!);
    bias -= (rate * gradBias) / x.length;
  }
  return {
    kind: 'token-alignment-logistic-v1',
    embedding_model: meta.embeddingModel,
    features: [...ALIGNMENT_FEATURES],
    mean: mu,
    scale,
    weights: weights.map(round),
    bias: round(bias),
    idf: meta.idf.encode(),
  };
}
