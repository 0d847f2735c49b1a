import { createHash } from 'node:crypto';

const VOCABULARY = [
  'the',
  'model',
  'answers',
  'with',
  'a',
  'short',
  'and',
  'useful',
  'reply',
  'about',
  'your',
  'question',
  'in',
  'plain',
  'words',
  'that',
  'are',
  'easy',
  'to',
  'read',
  'while',
  'keeping',
  'every',
  'detail',
  'correct',
  'for',
  'now',
  'this',
  'is',
  'simulated',
  'output',
  'from',
  'a',
  'fast',
  'server',
];

/** mulberry32: tiny, fast, good enough for reproducible fake text. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Generated {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/**
 * Deterministic output for (model, prompt, seed): the same request always gets the same text, which lets
 * tests compare streamed and non-streamed answers and lets the cache be checked for correctness.
 * `ECHO: text` in the last user message echoes the text (unless `echo` is false: a model that ignores its
 * instructions); JSON response formats get a JSON object.
 */
export function generate(input: { model: string; prompt: string; seed: number; maxTokens: number; json: boolean; wantTokens?: number; echo?: boolean }): Generated {
  const echo = input.echo === false ? undefined : /ECHO:\s*([\s\S]*)$/.exec(input.prompt)?.[1]?.trim();
  let words: string[];
  if (echo !== undefined) {
    words = echo.split(/\s+/).filter(Boolean);
  } else {
    const digest = createHash('sha256').update(`${input.model}\n${input.seed}\n${input.prompt}`).digest();
    const next = prng(digest.readUInt32LE(0));
    const length = input.wantTokens ?? 8 + Math.floor(next() * 24);
    words = Array.from({ length }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!);
  }
  if (input.json) words = [JSON.stringify({ answer: words.join(' ') })];
  const tokens = words.map((w, i) => (i === 0 ? w : ` ${w}`));
  if (tokens.length > input.maxTokens) return { tokens: tokens.slice(0, input.maxTokens), finishReason: 'length' };
  return { tokens, finishReason: 'stop' };
}

/** Fake but plausible log-probabilities for a token, deterministic per position. */
export function logprobOf(token: string, position: number): number {
  const r = prng(position * 7919 + token.length)();
  return -(r * 2.5);
}
