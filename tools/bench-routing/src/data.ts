import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { countTokens } from '@llm/tokens';
import { parse } from 'csv-parse';
import type { LabelledRow } from './curve';

export const WEAK = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
export const STRONG = 'gpt-4-1106-preview';

/** Prices per 1M tokens in micro-dollars (list prices when RouteLLM's labels were made). */
export interface PairPrices {
  weak: { in: number; out: number };
  strong: { in: number; out: number };
}

const BENCHMARKS = [
  { name: 'mmlu', file: 'mmlu_responses.csv' },
  { name: 'gsm8k', file: 'gsm8k_responses.csv' },
] as const;

const cost = (tokensIn: number, tokensOut: number, p: { in: number; out: number }) => Math.ceil((tokensIn * p.in + tokensOut * p.out) / 1_000_000);

/**
 * Reads RouteLLM's correctness labels in file order. Output tokens come from each model's own answer where the
 * file has it (GSM8K); MMLU keeps only the verdict, so its answer is counted as one token (a letter).
 */
export async function loadBenchmark(dir: string, name: 'mmlu' | 'gsm8k', prices: PairPrices): Promise<LabelledRow[]> {
  const spec = BENCHMARKS.find((b) => b.name === name)!;
  const rows: LabelledRow[] = [];
  const parser = createReadStream(join(dir, spec.file)).pipe(parse({ columns: true, relax_column_count: false }));
  for await (const rec of parser as AsyncIterable<Record<string, string>>) {
    const prompt = rec.prompt ?? '';
    const flag = (col: string) => {
      const v = rec[col];
      if (v !== 'True' && v !== 'False') throw new Error(`${spec.file}: column ${col} is '${String(v)}', expected True/False`);
      return v === 'True';
    };
    const tin = countTokens(prompt);
    const out = (col: string) => (rec[`${col}_response`] !== undefined ? countTokens(rec[`${col}_response`]!) : 1);
    rows.push({
      benchmark: name,
      promptTokens: tin,
      ...(rec.subject !== undefined ? { group: rec.subject } : {}),
      prompt,
      weakCorrect: flag(WEAK),
      strongCorrect: flag(STRONG),
      weakCostMicros: cost(tin, out(WEAK), prices.weak),
      strongCostMicros: cost(tin, out(STRONG), prices.strong),
      ...(rec[`${WEAK}_response`] !== undefined ? { weakAnswer: rec[`${WEAK}_response`] } : {}),
    });
  }
  return rows;
}

export const BENCHMARK_NAMES = BENCHMARKS.map((b) => b.name);
