import type { ContextChunk, JudgeVerdict } from './judge.types';
import { isRefusal, lexicalSupport } from './text.util';

/**
 * For requests that asked for RAG: when no retrieved chunk supports an answer (no context, or no chunk shares
 * enough of the question's content words), the model should decline; when the context does support one, it
 * should answer. Passing means the model did what the context allowed.
 */
export class RefusalJudge {
  static readonly NAME = 'refusal';

  constructor(private readonly supportThreshold = 0.3) {}

  contextSupports(question: string, context: readonly ContextChunk[]): boolean {
    return context.some((chunk) => lexicalSupport(question, chunk.text) >= this.supportThreshold);
  }

  judge(input: { question: string; answer: string | null | undefined; refusal?: string | null; context: readonly ContextChunk[] }): JudgeVerdict {
    const shouldRefuse = !this.contextSupports(input.question, input.context);
    const refused = isRefusal(input.answer, input.refusal);
    const passed = shouldRefuse === refused;
    const details = shouldRefuse
      ? refused
        ? 'declined: no retrieved chunk supports an answer'
        : 'answered although no retrieved chunk supports an answer'
      : refused
        ? 'declined although the context supports an answer'
        : 'answered from a context that supports an answer';
    return { judge: RefusalJudge.NAME, score: passed ? 1 : 0, passed, details };
  }
}
