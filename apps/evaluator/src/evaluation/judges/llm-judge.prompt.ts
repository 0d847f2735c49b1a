import { z } from 'zod';
import type { ContextChunk } from './judge.types';

export const LLM_JUDGE_NAME = 'grounding_llm';

/** The judge request's upstream id carries the judged request, so its result finds its way back. */
const UPSTREAM_PREFIX = 'judge';

export function judgeUpstreamId(tenantId: string, requestId: string): string {
  return `${UPSTREAM_PREFIX}:${tenantId}:${requestId}`;
}

export function parseJudgeUpstreamId(upstreamId: string | undefined): { tenantId: string; requestId: string } | undefined {
  const m = /^judge:([a-z0-9][a-z0-9_-]{0,62}):([0-9a-f-]{36})$/.exec(upstreamId ?? '');
  return m ? { tenantId: m[1]!, requestId: m[2]! } : undefined;
}

/** Bounds of what the grader sees: enough for an answer's citations, far below the broker's message size. */
const MAX_CHUNK_CHARS = 4_000;
const MAX_CHUNKS = 20;

/** The grader's messages: numbered context, the answer, and a strict JSON verdict to return. */
export function judgeMessages(question: string, answer: string, context: readonly ContextChunk[]): Array<{ role: 'system' | 'user'; content: string }> {
  const sources = context
    .slice(0, MAX_CHUNKS)
    .map((c, i) => `[${i + 1}] ${c.text.slice(0, MAX_CHUNK_CHARS)}`)
    .join('\n\n');
  return [
    {
      role: 'system',
      content:
        'You grade whether an answer is grounded in the sources. Every claim of the answer must be supported by a source it cites. ' +
        'Reply with JSON only: {"score": <number from 0 to 1, the share of supported claims>, "supported": <true when every claim is supported>}.',
    },
    { role: 'user', content: `Sources:\n${sources}\n\nQuestion:\n${question.slice(0, 8_000)}\n\nAnswer:\n${answer.slice(0, 20_000)}` },
  ];
}

const verdictSchema = z.object({ score: z.number().min(0).max(1), supported: z.boolean() });

/** The grader's verdict, or undefined when its answer is not one (a weak grader model is reported, not trusted). */
export function parseJudgeVerdict(content: string | null | undefined): z.infer<typeof verdictSchema> | undefined {
  if (!content) return undefined;
  const json = /\{[\s\S]*\}/.exec(content)?.[0];
  if (!json) return undefined;
  try {
    const parsed = verdictSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
