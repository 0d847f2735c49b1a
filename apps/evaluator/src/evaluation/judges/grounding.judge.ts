import type { ContextChunk, JudgeVerdict } from './judge.types';
import { citationMarkers, claimsOf, contentTokens, lexicalSupport } from './text.util';

/**
 * Lexical grounding: every claim (sentence) of the answer must be supported by a chunk it cites. A claim's
 * support is the share of its content words found in the best of its cited chunks; the score is the mean over
 * claims, and the verdict passes when every claim reaches the threshold. A claim without a citation of its own
 * borrows the citations of the answer's other sentences only when the answer cites exactly one chunk overall
 * (one source for a short answer is a common, honest style); otherwise it is unsupported.
 */
export class GroundingJudge {
  static readonly NAME = 'grounding_lexical';

  constructor(private readonly threshold = 0.6) {}

  appliesTo(answer: string | null | undefined, context: readonly ContextChunk[]): answer is string {
    return typeof answer === 'string' && answer.trim().length > 0 && context.length > 0;
  }

  judge(answer: string, context: readonly ContextChunk[]): JudgeVerdict {
    const claims = claimsOf(answer);
    if (claims.length === 0) return this.verdict(1, true, 'no claims to check');
    const allCited = resolve(citationMarkers(answer), context);
    // Each chunk is tokenised once per answer, however many claims cite it.
    const chunkWords = new Map<ContextChunk, Set<string>>();
    const wordsOf = (chunk: ContextChunk) => chunkWords.get(chunk) ?? chunkWords.set(chunk, new Set(contentTokens(chunk.text))).get(chunk)!;
    const supports = claims.map((claim) => {
      const own = resolve(citationMarkers(claim), context);
      const cited = own.length > 0 ? own : allCited.length === 1 ? allCited : [];
      return cited.reduce((best, chunk) => Math.max(best, lexicalSupport(claim, wordsOf(chunk))), 0);
    });
    const supported = supports.filter((s) => s >= this.threshold).length;
    const score = supports.reduce((a, b) => a + b, 0) / supports.length;
    const uncited = allCited.length === 0 ? ' (the answer cites no chunk of the context)' : '';
    return this.verdict(score, supported === claims.length, `${supported}/${claims.length} claims supported by a cited chunk${uncited}`);
  }

  private verdict(score: number, passed: boolean, details: string): JudgeVerdict {
    return { judge: GroundingJudge.NAME, score: round(score), passed, details };
  }
}

/** Markers to chunks: a number is a 1-based position in the context, anything else a chunk or document id. */
export function resolve(markers: readonly string[], context: readonly ContextChunk[]): ContextChunk[] {
  const found = new Map<string, ContextChunk>();
  for (const marker of markers) {
    const index = /^\d+$/.test(marker) ? Number(marker) - 1 : -1;
    const chunk = index >= 0 ? context[index] : context.find((c) => c.id === marker || c.documentId === marker);
    if (chunk) found.set(chunk.id, chunk);
  }
  return [...found.values()];
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
