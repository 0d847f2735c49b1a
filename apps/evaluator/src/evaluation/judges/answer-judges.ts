import type { ChatMessage, ChatRequestBody } from '@llm/contracts';
import { GroundingJudge } from './grounding.judge';
import { JsonSchemaJudge } from './json-schema.judge';
import { JsonValidityJudge } from './json-validity.judge';
import type { ContextChunk, JudgeVerdict } from './judge.types';
import { RefusalJudge } from './refusal.judge';

/** What the answer judges need of one exchange: online (sampled traffic), offline (suites) and shadow alike. */
export interface AnswerUnderJudgement {
  question: string;
  answer: string | null | undefined;
  refusal?: string | null;
  context: readonly ContextChunk[];
  /** The request asked for retrieval (online: `rag` was set), so declining is a legitimate outcome. */
  rag: boolean;
  responseFormat?: ChatRequestBody['response_format'];
}

export interface AnswerJudgeSettings {
  groundingThreshold: number;
  refusalSupportThreshold: number;
}

/**
 * The content judges, each applied only where it means something: JSON validity for JSON answers, schema
 * conformance when a schema was asked for, lexical grounding when there was context and the model answered,
 * refusal when retrieval was asked for.
 */
export class AnswerJudges {
  private readonly json = new JsonValidityJudge();
  private readonly schema = new JsonSchemaJudge();
  private readonly grounding: GroundingJudge;
  private readonly refusal: RefusalJudge;

  constructor(settings: AnswerJudgeSettings = { groundingThreshold: 0.6, refusalSupportThreshold: 0.3 }) {
    this.grounding = new GroundingJudge(settings.groundingThreshold);
    this.refusal = new RefusalJudge(settings.refusalSupportThreshold);
  }

  run(input: AnswerUnderJudgement): JudgeVerdict[] {
    const verdicts: JudgeVerdict[] = [];
    const format = input.responseFormat?.type;
    const { answer } = input;
    if ((format === 'json_object' || format === 'json_schema') && typeof answer === 'string') verdicts.push(this.json.judge(answer));
    else if (this.json.appliesTo(answer)) verdicts.push(this.json.judge(answer));
    if (input.responseFormat?.type === 'json_schema' && input.responseFormat.json_schema.schema && typeof answer === 'string') {
      const verdict = this.schema.judge(answer, input.responseFormat.json_schema.schema);
      if (verdict) verdicts.push(verdict);
    }
    if (input.rag) verdicts.push(this.refusal.judge({ question: input.question, answer, refusal: input.refusal, context: input.context }));
    if (this.grounding.appliesTo(answer, input.context) && !verdicts.some((v) => v.judge === RefusalJudge.NAME && v.details.startsWith('declined'))) {
      verdicts.push(this.grounding.judge(answer, input.context));
    }
    return verdicts;
  }
}

/** The text of the last user message: the question a grounded answer is about. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    return m.content.map((part) => (part.type === 'text' ? part.text : '')).join(' ');
  }
  return '';
}
