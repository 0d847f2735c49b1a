import type { ChatRequestBody } from '@llm/contracts';
import { caseMessages, CaseJudge } from './case-judge';
import type { PlatformAnswer, PlatformClient } from './platform.client';
import { suiteCase, type SuiteCase } from './suite.schema';

const answer = (content: string | null, over: Partial<PlatformAnswer> = {}): PlatformAnswer => ({
  content,
  refusal: null,
  model: 'sim-small',
  requestId: 'r',
  latencyMs: 5,
  costMicros: 1,
  ...over,
});

/** Records what the rubric grader is asked and answers with a fixed grader reply. */
class GraderStub {
  readonly asked: ChatRequestBody[] = [];
  constructor(private readonly reply: string | null) {}
  async complete(body: ChatRequestBody): Promise<PlatformAnswer> {
    this.asked.push(body);
    return answer(this.reply, { model: 'grader' });
  }
}

const kase = (c: Record<string, unknown>): SuiteCase => suiteCase.parse(c);

describe('caseMessages', () => {
  it('assembles context as numbered sources and appends the simulator directive only for simulated suites', () => {
    const c = kase({ id: 'a', question: 'Capital?', context: [{ id: 'g', text: 'Paris is the capital.' }], judge: 'contains', expected: 'Paris', sim_answer: 'Paris [1].' });
    const simulated = caseMessages(c, true);
    expect(simulated[0]).toMatchObject({ role: 'system', content: expect.stringContaining('[1] Paris is the capital.') });
    expect(simulated[1]).toEqual({ role: 'user', content: 'Capital?\nECHO: Paris [1].' });
    expect(caseMessages(c, false)[1]).toEqual({ role: 'user', content: 'Capital?' });
  });
});

describe('CaseJudge', () => {
  const judge = (reply: string | null = null) => {
    const grader = new GraderStub(reply);
    return { grader, judge: new CaseJudge(grader as unknown as PlatformClient, 'judge-model') };
  };

  it('decides exact and contains on normalised text', async () => {
    const { judge: j } = judge();
    expect((await j.judge(kase({ id: 'a', question: 'q', judge: 'exact', expected: 'Pong' }), answer(' pong. '))).primary.passed).toBe(true);
    expect((await j.judge(kase({ id: 'a', question: 'q', judge: 'exact', expected: 'pong' }), answer('ping pong'))).primary.passed).toBe(false);
    expect((await j.judge(kase({ id: 'a', question: 'q', judge: 'contains', expected: 'Paris' }), answer('It is PARIS.'))).primary.passed).toBe(true);
  });

  it('fails a case that got no answer, naming the error', async () => {
    const { judge: j } = judge();
    const { primary } = await j.judge(kase({ id: 'a', question: 'q', judge: 'contains', expected: 'x' }), answer(null, { error: '503 overloaded' }));
    expect(primary).toMatchObject({ passed: false, details: 'no answer: 503 overloaded' });
  });

  it('grades a rubric through the platform at batch priority, and fails a grader answer that is not a verdict', async () => {
    const good = judge('{"score": 0.8, "supported": true}');
    const c = kase({ id: 'a', question: 'Explain X.', judge: 'llm_rubric', rubric: 'Mentions Y.' });
    expect((await good.judge.judge(c, answer('X because Y.'))).primary).toMatchObject({ judge: 'llm_rubric', score: 0.8, passed: true });
    expect(good.grader.asked[0]).toMatchObject({ model: 'judge-model', response_format: { type: 'json_object' } });
    const bad = judge('{"answer": "whatever"}');
    expect((await bad.judge.judge(c, answer('X because Y.'))).primary).toMatchObject({ passed: false, details: 'the grader answer was not a verdict' });
  });

  it('adds the answer judges that apply as extra scores', async () => {
    const { judge: j } = judge();
    const c = kase({ id: 'a', question: 'Capital of France?', context: [{ id: 'g', text: 'Paris is the capital of France.' }], judge: 'contains', expected: 'Paris' });
    const { extra } = await j.judge(c, answer('Paris is the capital of France [1].'));
    expect(extra.map((v) => [v.judge, v.passed])).toEqual([
      ['refusal', true],
      ['grounding_lexical', true],
    ]);
  });
});
