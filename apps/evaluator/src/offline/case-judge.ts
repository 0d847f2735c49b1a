import type { ChatMessage } from '@llm/contracts';
import { AnswerJudges } from '../evaluation/judges/answer-judges';
import { JsonSchemaJudge } from '../evaluation/judges/json-schema.judge';
import type { ContextChunk, JudgeVerdict } from '../evaluation/judges/judge.types';
import { parseJudgeVerdict } from '../evaluation/judges/llm-judge.prompt';
import { isRefusal } from '../evaluation/judges/text.util';
import type { PlatformAnswer, PlatformClient } from './platform.client';
import type { SuiteCase } from './suite.schema';

const RAG_INSTRUCTIONS =
  'Answer the question from the numbered sources only and cite each claim like [1]. ' +
  'If the sources do not contain the answer, say that you cannot answer from the provided context.';

/** The request a case sends: its messages, or its question with the context assembled like a RAG request. */
export function caseMessages(c: SuiteCase, simulated: boolean): ChatMessage[] {
  const messages: ChatMessage[] = c.messages
    ? structuredClone(c.messages)
    : [
        ...(c.context.length > 0 || c.judge === 'refusal'
          ? [{ role: 'system' as const, content: `${RAG_INSTRUCTIONS}\n\n${c.context.map((x, i) => `[${i + 1}] ${x.text}`).join('\n\n')}` }]
          : []),
        { role: 'user' as const, content: c.question! },
      ];
  if (simulated && c.sim_answer !== undefined) {
    const last = messages[messages.length - 1]!;
    if (last.role === 'user' && typeof last.content === 'string') last.content = `${last.content}\nECHO: ${c.sim_answer}`;
  }
  return messages;
}

/**
 * Scores a case's answer: its own judge decides pass or fail; the answer judges that apply (JSON validity,
 * grounding, refusal) are added as extra scores, so reports show them per case too.
 */
export class CaseJudge {
  private readonly answers = new AnswerJudges();
  private readonly schema = new JsonSchemaJudge();

  constructor(
    private readonly client: PlatformClient,
    private readonly judgeModel: string,
  ) {}

  async judge(c: SuiteCase, answer: PlatformAnswer): Promise<{ primary: JudgeVerdict; extra: JudgeVerdict[] }> {
    const context: ContextChunk[] = c.context.map((x) => ({ id: x.id, text: x.text }));
    const question = c.question ?? '';
    const extra = this.answers
      .run({ question, answer: answer.content, refusal: answer.refusal, context, rag: c.context.length > 0 || c.judge === 'refusal', responseFormat: c.response_format })
      .filter((v) => v.judge !== c.judge);
    return { primary: await this.primary(c, answer, context, extra), extra };
  }

  private async primary(c: SuiteCase, answer: PlatformAnswer, context: ContextChunk[], extra: JudgeVerdict[]): Promise<JudgeVerdict> {
    const text = answer.content ?? '';
    const v = (score: number, passed: boolean, details: string): JudgeVerdict => ({ judge: c.judge, score, passed, details });
    if (answer.error) return v(0, false, `no answer: ${answer.error}`);
    switch (c.judge) {
      case 'exact':
        return normalise(text) === normalise(c.expected!) ? v(1, true, 'matches the expected answer') : v(0, false, 'differs from the expected answer');
      case 'contains':
        return normalise(text).includes(normalise(c.expected!)) ? v(1, true, 'contains the expected answer') : v(0, false, 'does not contain the expected answer');
      case 'json_schema':
        return this.schema.judge(text, c.schema!) ?? v(0, false, 'the case schema does not compile');
      case 'grounding': {
        const grounding = this.answers.run({ question: c.question ?? '', answer: text, context, rag: false }).find((x) => x.judge === 'grounding_lexical');
        return grounding ? { ...grounding, judge: c.judge } : v(0, false, 'nothing to ground (no context or no answer)');
      }
      case 'refusal':
        return isRefusal(text, answer.refusal) ? v(1, true, 'declined as expected') : v(0, false, 'answered although it should decline');
      case 'llm_rubric':
        return this.rubric(c, text, extra);
      default:
        return c.judge satisfies never;
    }
  }

  /** The rubric is graded by a model through the platform itself, like the online LLM judge. */
  private async rubric(c: SuiteCase, text: string, _extra: JudgeVerdict[]): Promise<JudgeVerdict> {
    const graded = await this.client.complete(
      {
        model: this.judgeModel,
        temperature: 0,
        max_tokens: 128,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: 'Grade the answer against the rubric. Reply with JSON only: {"score": <0 to 1>, "supported": <true when the answer meets the rubric>}.' },
          { role: 'user', content: `Rubric:\n${c.rubric}\n\nQuestion:\n${c.question ?? ''}\n\nAnswer:\n${text}` },
        ],
      },
      { feature: 'eval-rubric', priority: 'batch' },
    );
    const verdict = parseJudgeVerdict(graded.content);
    if (!verdict) return { judge: c.judge, score: 0, passed: false, details: graded.error ? `grader failed: ${graded.error}` : 'the grader answer was not a verdict' };
    return { judge: c.judge, score: verdict.score, passed: verdict.supported, details: `graded by ${graded.model ?? this.judgeModel}` };
  }
}

function normalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?]+$/, '');
}
