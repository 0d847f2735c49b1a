import { countTokens } from '@llm/tokens';

export interface ContextCandidate {
  chunkId: string;
  documentId: string;
  collection: string;
  text: string;
  /** Fused relevance score (higher is better); candidates arrive best first. */
  score: number;
  title?: string;
}

export interface ContextEntry extends ContextCandidate {
  /** The number the model cites, `[n]`, from 1 in the order the sources are shown. */
  citation: number;
  tokens: number;
  trimmed: boolean;
}

export interface ContextBudget {
  /** Tokens all sources together may take in the prompt. */
  maxTokens: number;
  /** A single source is trimmed to this many tokens (so one long chunk cannot crowd the others out). */
  maxChunkTokens: number;
  /** A source cut shorter than this is left out rather than shown as a fragment. */
  minChunkTokens: number;
}

export const DEFAULT_CONTEXT_BUDGET: ContextBudget = { maxTokens: 2_000, maxChunkTokens: 500, minChunkTokens: 48 };

/** Word 5-gram shingles: two chunks sharing most of them say the same thing (a re-uploaded copy, an overlap). */
const SHINGLE = 5;
const DUPLICATE_JACCARD = 0.8;

/**
 * The sources of a grounded prompt: best first, near-duplicates dropped (the better-ranked copy stays), each
 * trimmed to whole sentences within its share, and all of them within the token budget. Ranked order is kept
 * because models attend most to what comes first; the citation numbers follow that order.
 */
export function assembleContext(candidates: readonly ContextCandidate[], budget: ContextBudget = DEFAULT_CONTEXT_BUDGET): ContextEntry[] {
  const chosen: ContextEntry[] = [];
  const shingles: Array<Set<string>> = [];
  const seen = new Set<string>();
  let left = budget.maxTokens;
  for (const candidate of candidates) {
    if (left < budget.minChunkTokens) break;
    if (seen.has(candidate.chunkId)) continue;
    seen.add(candidate.chunkId);
    const own = shingleSet(candidate.text);
    if (shingles.some((other) => jaccard(own, other) >= DUPLICATE_JACCARD)) continue;
    const limit = Math.min(budget.maxChunkTokens, left);
    const fitted = trimToTokens(candidate.text, limit);
    if (fitted.tokens < budget.minChunkTokens && fitted.trimmed) continue;
    if (fitted.tokens === 0) continue;
    chosen.push({ ...candidate, text: fitted.text, tokens: fitted.tokens, trimmed: fitted.trimmed, citation: chosen.length + 1 });
    shingles.push(own);
    left -= fitted.tokens;
  }
  return chosen;
}

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Whole sentences up to the limit; a first sentence longer than the limit is cut between words. */
export function trimToTokens(text: string, limit: number): { text: string; tokens: number; trimmed: boolean } {
  const total = countTokens(text);
  if (total <= limit) return { text, tokens: total, trimmed: false };
  let kept = '';
  for (const { segment } of sentences.segment(text)) {
    const next = kept + segment;
    if (countTokens(next.trimEnd()) > limit) break;
    kept = next;
  }
  if (!kept.trim()) {
    const words = text.split(/\s+/);
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (countTokens(words.slice(0, mid).join(' ')) <= limit) lo = mid;
      else hi = mid - 1;
    }
    kept = words.slice(0, lo).join(' ');
  }
  const out = kept.trimEnd();
  return { text: out, tokens: countTokens(out), trimmed: true };
}

function shingleSet(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const set = new Set<string>();
  if (words.length < SHINGLE) {
    set.add(words.join(' '));
    return set;
  }
  for (let i = 0; i + SHINGLE <= words.length; i++) set.add(words.slice(i, i + SHINGLE).join(' '));
  return set;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const s of a) if (b.has(s)) shared++;
  return shared / (a.size + b.size - shared);
}
