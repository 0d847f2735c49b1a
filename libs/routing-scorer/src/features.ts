/**
 * Features of a prompt for the complexity scorer: signed hashed word unigrams and bigrams (numbers folded into
 * a token per digit count, so "16 eggs" and "93 eggs" look alike) plus a few dense shape features. Cheap enough
 * to run on every routed request (no model, no I/O), and stable: the same text always gives the same vector, so
 * weights trained offline mean the same thing in the router. Changing anything here is a new FEATURE_VERSION.
 */
export const FEATURE_VERSION = 'hashed-ngrams-v3' as const;

const SHAPE = ['log_chars', 'log_words', 'numbers', 'digit_share', 'math_symbols', 'lines', 'questions', 'long_words'] as const;

/**
 * Word-problem features, for open questions only: how many quantities, entities and relations a problem chains
 * together (GSM8K-style arithmetic), which hashed n-grams cannot count across a whole problem.
 */
const WORD_PROBLEM = [
  'sentences',
  'named_entities',
  'max_number_log10',
  'distinct_numbers',
  'number_words',
  'time_units',
  'rate_words',
  'comparison_words',
  'sequence_words',
  'percent',
  'fractions',
] as const;

/**
 * Names of the dense features, in vector order after the hashed buckets: the shape features once for
 * multiple-choice prompts and once for open questions (length means different things in the two), the
 * multiple-choice indicator itself, then the word-problem features of open questions.
 */
export const DENSE_FEATURES = ['multiple_choice', ...SHAPE.map((f) => `mc_${f}`), ...SHAPE.map((f) => `open_${f}`), ...WORD_PROBLEM.map((f) => `open_${f}`)] as const;

/** Whether a prompt is a multiple-choice question (options A., B., ... on their own lines). */
export function isMultipleChoice(text: string): boolean {
  return MULTIPLE_CHOICE.test(text);
}

const MULTIPLE_CHOICE = /\n\s*A[.)][^\n]*\n\s*B[.)]/;

export interface SparseVector {
  indices: number[];
  values: number[];
}

const TOKEN = /[a-z]+|\d+(?:[.,]\d+)*|[^\sa-z\d]/g;

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(TOKEN) ?? []).map((t) => (/^\d/.test(t) ? `<num${Math.min(t.replace(/\D/g, '').length, 6)}>` : t));
}

export function denseFeatures(text: string): number[] {
  const shape = shapeFeatures(text);
  const mc = MULTIPLE_CHOICE.test(text) ? 1 : 0;
  return [mc, ...shape.map((v) => v * mc), ...shape.map((v) => v * (1 - mc)), ...wordProblemFeatures(text).map((v) => v * (1 - mc))];
}

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

function wordProblemFeatures(text: string): number[] {
  const numbers = text.match(/\d+(?:,\d{3})*(?:\.\d+)?/g) ?? [];
  const magnitude = numbers.reduce((m, n) => Math.max(m, Math.log10(1 + Number(n.replace(/,/g, '')))), 0);
  return [
    Math.log1p(count(text, /[.?!](?:\s|$)/g)),
    Math.log1p(new Set(text.match(/\b[A-Z][a-z]+\b/g) ?? []).size),
    magnitude,
    Math.log1p(new Set(numbers).size),
    Math.log1p(count(text, /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|thousand|half|twice|double|triple|third|quarter|dozen)\b/gi)),
    Math.log1p(count(text, /\b(?:hour|minute|second|day|week|month|year)s?\b/gi)),
    Math.log1p(count(text, /\b(?:times|ratio|per|each|every|rate|average)\b/gi)),
    Math.log1p(count(text, /\b(?:more|less|fewer|than|longer|shorter|older|younger)\b/gi)),
    Math.log1p(count(text, /\b(?:if|after|before|then|until)\b/gi)),
    /%|percent/i.test(text) ? 1 : 0,
    Math.log1p(count(text, /\d+\/\d+|\bhalf\b|\bthird\b|\bquarter\b|fraction/gi)),
  ];
}

function shapeFeatures(text: string): number[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const digits = (text.match(/\d/g) ?? []).length;
  return [
    Math.log1p(text.length),
    Math.log1p(words.length),
    Math.log1p((text.match(/\d+(?:[.,]\d+)*/g) ?? []).length),
    text.length === 0 ? 0 : digits / text.length,
    Math.log1p((text.match(/[=+*/^<>%$√∫∑]|\\[a-z]+/g) ?? []).length),
    Math.log1p(text.split('\n').length),
    Math.log1p((text.match(/\?/g) ?? []).length),
    words.length === 0 ? 0 : words.filter((w) => w.length >= 9).length / words.length,
  ];
}

/** 32-bit FNV-1a: a fixed, dependency-free hash, so trained bucket indices never move. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The hashed part of the vector: each n-gram adds ±1 (the sign from a high hash bit spreads collisions around
 * zero) and the bucket counts are scaled by 1/sqrt(n-gram count) so long prompts do not dominate by size alone.
 * Dense features follow at indices buckets..buckets+DENSE_FEATURES.length-1, standardized by the caller.
 */
export function hashedFeatures(text: string, buckets: number): SparseVector {
  const tokens = tokenize(text);
  const grams: string[] = [...tokens];
  for (let i = 1; i < tokens.length; i++) grams.push(`${tokens[i - 1]} ${tokens[i]}`);
  const acc = new Map<number, number>();
  for (const g of grams) {
    const h = fnv1a(g);
    const bucket = h % buckets;
    acc.set(bucket, (acc.get(bucket) ?? 0) + (h & 0x80000000 ? -1 : 1));
  }
  const scale = grams.length === 0 ? 1 : 1 / Math.sqrt(grams.length);
  const indices: number[] = [];
  const values: number[] = [];
  for (const [i, v] of [...acc.entries()].sort((a, b) => a[0] - b[0])) {
    if (v === 0) continue;
    indices.push(i);
    values.push(v * scale);
  }
  return { indices, values };
}
