import { judgeMessages, judgeUpstreamId, parseJudgeUpstreamId, parseJudgeVerdict } from './llm-judge.prompt';

describe('LLM judge prompt', () => {
  it('round-trips the judged request through the upstream id', () => {
    const id = judgeUpstreamId('acme', '0b7e4a2e-8f3d-4c1a-9d2b-1f6a7e9c0d11');
    expect(parseJudgeUpstreamId(id)).toEqual({ tenantId: 'acme', requestId: '0b7e4a2e-8f3d-4c1a-9d2b-1f6a7e9c0d11' });
    expect(parseJudgeUpstreamId('judge:Not A Tenant:x')).toBeUndefined();
    expect(parseJudgeUpstreamId(undefined)).toBeUndefined();
  });

  it('numbers the sources the way answers cite them', () => {
    const [, user] = judgeMessages('q', 'a [1]', [{ id: 'x', text: 'source one' }]);
    expect(user!.content).toContain('[1] source one');
  });

  it('parses a verdict, also inside prose, and refuses anything else', () => {
    expect(parseJudgeVerdict('{"score": 0.5, "supported": false}')).toEqual({ score: 0.5, supported: false });
    expect(parseJudgeVerdict('Verdict: {"score": 1, "supported": true} done')).toEqual({ score: 1, supported: true });
    expect(parseJudgeVerdict('{"answer": "the model"}')).toBeUndefined();
    expect(parseJudgeVerdict('{"score": 3, "supported": true}')).toBeUndefined();
    expect(parseJudgeVerdict('not json')).toBeUndefined();
    expect(parseJudgeVerdict(null)).toBeUndefined();
  });
});
