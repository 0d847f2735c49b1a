import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletion, InferenceRequestV1, RouteTarget } from '@llm/contracts';
import { AnswerCheck } from '@llm/routing-scorer';
import { escalationChecks, judgeAnswer, questionOf } from './escalation-check';

const shipped = AnswerCheck.parse(JSON.parse(readFileSync(join(__dirname, '../../../../../infra/routing/answer-check.json'), 'utf8')));
const question =
  'Janet’s ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. She sells the rest for $2 each. How much in dollars does she make every day?';
const CONFIDENT = 'She has 16 - 3 - 4 = 9 eggs left. She makes 9 * 2 = 18 dollars. The answer is 18.';
const WRONG_LOOKING = 'She has 16 - 3 - 4 = 10 eggs left. She makes 10 * 2 = 21 dollars, approximately. The answer is 20.5.';

const completion = (content: string, logprobs?: number[]): ChatCompletion =>
  ({
    id: 'x',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [
      { index: 0, finish_reason: 'stop', message: { role: 'assistant', content }, logprobs: logprobs ? { content: logprobs.map((logprob) => ({ token: 't', logprob })) } : null },
    ],
  }) as unknown as ChatCompletion;

const t = (model: string, extra: Partial<RouteTarget> = {}): RouteTarget => ({
  model,
  provider: 'sim',
  deployment: model,
  price_in_micros_per_mtok: 1,
  price_out_micros_per_mtok: 1,
  timeout_ms: 1_000,
  ...extra,
});

describe('escalation checks of a route plan', () => {
  const plan = (targets: RouteTarget[]) => ({ policy: 'p', reason: 'r', targets });

  it('runs only on a target followed by an escalation target, and never on a stream', () => {
    const weak = t('small', { role: 'primary', answer_check: {} });
    const targets = [weak, t('large', { role: 'escalation' })];
    expect(escalationChecks({ mode: 'sync', plan: plan(targets) }, weak, 0)).toEqual({ answerCheck: {} });
    expect(escalationChecks({ mode: 'async', plan: plan(targets) }, weak, 0)).toEqual({ answerCheck: {} });
    expect(escalationChecks({ mode: 'stream', plan: plan(targets) }, weak, 0)).toBeUndefined();
    expect(escalationChecks({ mode: 'sync', plan: plan([weak, t('large', { role: 'fallback-model' })]) }, weak, 0)).toBeUndefined();
    expect(escalationChecks({ mode: 'sync', plan: plan(targets) }, targets[1]!, 1)).toBeUndefined();
    const both = t('small', { role: 'primary', answer_check: { threshold: 0.3 }, escalate_if_mean_logprob_below: -1 });
    expect(escalationChecks({ mode: 'sync', plan: plan([both, targets[1]!]) }, both, 0)).toEqual({ answerCheck: { threshold: 0.3 }, meanLogprobBelow: -1 });
  });

  it('reads the last user turn as the question', () => {
    const body = {
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: question },
      ],
    } as InferenceRequestV1['body'];
    expect(questionOf(body)).toBe(question);
  });
});

describe('keep or escalate a weak answer', () => {
  const judge = (content: string, o: Partial<Parameters<typeof judgeAnswer>[0]> = {}) =>
    judgeAnswer({ checks: { answerCheck: {} }, model: 'small', question, completion: completion(content), answerCheck: shipped, deadlinePassed: false, ...o });

  it('keeps a confident answer and escalates a wrong-looking one, against the calibrated threshold, with the score recorded', () => {
    const kept = judge(CONFIDENT)!;
    expect(kept.escalate).toBe(false);
    expect(kept.record).toMatchObject({
      check: 'answer-check',
      escalated: false,
      reason: 'confident',
      threshold: shipped.model.default_threshold,
      checked_model: 'small',
      checker: shipped.model.version,
    });
    expect(kept.record.score!).toBeLessThan(shipped.model.default_threshold);
    const escalated = judge(WRONG_LOOKING)!;
    expect(escalated).toMatchObject({ escalate: true, record: { escalated: true, reason: 'unsure' } });
    expect(escalated.record.score!).toBeGreaterThanOrEqual(shipped.model.default_threshold);
    // No number at all: nothing to check, so unsure.
    expect(judge('She makes some money at the market.')!.escalate).toBe(true);
  });

  it("uses the plan's threshold when it sets one", () => {
    const score = judge(CONFIDENT)!.record.score!;
    expect(judge(CONFIDENT, { checks: { answerCheck: { threshold: score / 2 } } })).toMatchObject({ escalate: true, record: { threshold: score / 2 } });
  });

  it('never escalates past the deadline: the unsure answer is kept, and the record says why', () => {
    expect(judge(WRONG_LOOKING, { deadlinePassed: true })).toMatchObject({ escalate: false, record: { escalated: false, reason: 'deadline' } });
  });

  it('either check escalates; the answer-check is recorded when it ran', () => {
    const logprobs = { meanLogprobBelow: -0.5 };
    const unsureTokens = judgeAnswer({
      checks: { answerCheck: {}, ...logprobs },
      model: 'small',
      question,
      completion: completion(CONFIDENT, [-2, -2]),
      answerCheck: shipped,
      deadlinePassed: false,
    })!;
    expect(unsureTokens.record).toMatchObject({ check: 'mean-logprob', score: -2, threshold: -0.5, escalated: true });
    const sureTokens = judgeAnswer({
      checks: { answerCheck: {}, ...logprobs },
      model: 'small',
      question,
      completion: completion(CONFIDENT, [-0.1]),
      answerCheck: shipped,
      deadlinePassed: false,
    })!;
    expect(sureTokens.record).toMatchObject({ check: 'answer-check', escalated: false });
    const onlyLogprobs = judgeAnswer({ checks: logprobs, model: 'small', question, completion: completion(WRONG_LOOKING, [-0.1]), answerCheck: shipped, deadlinePassed: false })!;
    expect(onlyLogprobs.record).toMatchObject({ check: 'mean-logprob', escalated: false, reason: 'confident' });
  });

  it('without a loaded answer-check there is no verdict (the answer is kept)', () => {
    expect(judge(WRONG_LOOKING, { answerCheck: undefined })).toBeUndefined();
  });
});
