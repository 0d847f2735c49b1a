import type { ChatCompletion, ChatRequestBody, EscalationRecord, InferenceRequestV1, RouteTarget } from '@llm/contracts';
import { escalationDecision, type AnswerCheck } from '@llm/routing-scorer';
import { promptText } from '@llm/tokens';

/** The checks the route plan asks for on one target's answer (confidence escalation, answer-check cascade). */
export interface EscalationChecks {
  meanLogprobBelow?: number;
  answerCheck?: { threshold?: number };
}

/**
 * The checks of the target at `index`, when the plan asks for one and it can run: a later target has the
 * `escalation` role, and the answer is not streamed (streamed tokens reached the caller before any check).
 */
export function escalationChecks(request: Pick<InferenceRequestV1, 'mode' | 'plan'>, target: RouteTarget, index: number): EscalationChecks | undefined {
  if (request.mode === 'stream') return undefined;
  const meanLogprobBelow = target.escalate_if_mean_logprob_below;
  const answerCheck = target.answer_check;
  if (meanLogprobBelow === undefined && answerCheck === undefined) return undefined;
  if (!request.plan.targets.slice(index + 1).some((t) => t.role === 'escalation')) return undefined;
  return { ...(meanLogprobBelow !== undefined ? { meanLogprobBelow } : {}), ...(answerCheck !== undefined ? { answerCheck } : {}) };
}

/** The text the answer-check reads as the question: the last user turn, as the router's policies read it. */
export function questionOf(body: Pick<ChatRequestBody, 'messages'>): string {
  const user = [...body.messages].reverse().find((m) => m.role === 'user');
  return user ? promptText([user]) : '';
}

export interface AnswerVerdict {
  escalate: boolean;
  record: EscalationRecord;
}

/**
 * Keep the weak model's answer or escalate. Either check may escalate; the answer-check is recorded when it ran
 * (its score is the one the cascade is calibrated on), else the logprob check. An answer is kept, not escalated,
 * when the deadline has passed: a second call could only end as expired, and the caller would lose the answer
 * it already has. Without a loaded answer-check the cascade cannot run and the answer is kept (logged by the caller).
 */
export function judgeAnswer(input: {
  checks: EscalationChecks;
  model: string;
  question: string;
  completion: ChatCompletion;
  answerCheck: AnswerCheck | undefined;
  deadlinePassed: boolean;
}): AnswerVerdict | undefined {
  const { checks, completion } = input;
  const answer = completion.choices[0]?.message.content ?? '';
  let record: EscalationRecord | undefined;
  if (checks.answerCheck && input.answerCheck) {
    const threshold = checks.answerCheck.threshold ?? input.answerCheck.model.default_threshold;
    const score = input.answerCheck.probabilityWrong(input.question, typeof answer === 'string' ? answer : '');
    const unsure = score >= threshold;
    record = {
      check: 'answer-check',
      score: round(score),
      threshold,
      escalated: unsure,
      reason: unsure ? 'unsure' : 'confident',
      checked_model: input.model,
      checker: input.answerCheck.model.version.slice(0, 64),
    };
  }
  if (checks.meanLogprobBelow !== undefined && !record?.escalated) {
    const d = escalationDecision(checks.meanLogprobBelow, completion.choices[0]?.logprobs);
    if (d.escalate || !record) {
      record = {
        check: 'mean-logprob',
        ...(d.mean_logprob !== undefined ? { score: round(d.mean_logprob) } : {}),
        threshold: checks.meanLogprobBelow,
        escalated: d.escalate,
        reason: d.reason === 'no-logprobs' ? 'no-logprobs' : d.escalate ? 'unsure' : 'confident',
        checked_model: input.model,
      };
    }
  }
  if (!record) return undefined;
  if (record.escalated && input.deadlinePassed) record = { ...record, escalated: false, reason: 'deadline' };
  return { escalate: record.escalated, record };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
