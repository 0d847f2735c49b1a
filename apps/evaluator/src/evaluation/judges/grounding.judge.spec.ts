import { GroundingJudge } from './grounding.judge';
import type { ContextChunk } from './judge.types';

const context: ContextChunk[] = [
  { id: 'c-eiffel', documentId: 'doc-paris', text: 'The Eiffel Tower was completed in 1889 as the entrance arch of the World Fair in Paris.' },
  { id: 'c-bees', documentId: 'doc-bees', text: 'The western honey bee lives in large colonies with one queen.' },
];

describe('GroundingJudge', () => {
  const judge = new GroundingJudge(0.6);

  it('passes when every claim is supported by a chunk it cites (by position, chunk id or document id)', () => {
    for (const answer of [
      'The Eiffel Tower was completed in 1889 [1]. Honey bees live in large colonies [2].',
      'The Eiffel Tower was completed in 1889 [c-eiffel]. Honey bees live in large colonies [doc-bees].',
    ]) {
      expect(judge.judge(answer, context)).toMatchObject({ judge: 'grounding_lexical', score: 1, passed: true, details: '2/2 claims supported by a cited chunk' });
    }
  });

  it('fails a claim that cites the wrong chunk, with a partial score', () => {
    const verdict = judge.judge('The Eiffel Tower was completed in 1889 [1]. Honey bees live in large colonies [1].', context);
    expect(verdict.passed).toBe(false);
    expect(verdict.score).toBeGreaterThan(0.4);
    expect(verdict.score).toBeLessThan(1);
    expect(verdict.details).toBe('1/2 claims supported by a cited chunk');
  });

  it('fails an answer that cites nothing, and one that invents a claim', () => {
    expect(judge.judge('The Eiffel Tower was completed in 1889.', context)).toMatchObject({ passed: false, score: 0, details: expect.stringContaining('cites no chunk') });
    expect(judge.judge('The Eiffel Tower was painted bright green by Napoleon [1].', context).passed).toBe(false);
  });

  it('lets a single cited source cover the uncited sentences of a short answer', () => {
    expect(judge.judge('The tower was completed in 1889. It was the entrance arch of the World Fair [1].', context).passed).toBe(true);
  });

  it('applies only to a non-empty answer with context', () => {
    expect(judge.appliesTo('text', [])).toBe(false);
    expect(judge.appliesTo('', context)).toBe(false);
    expect(judge.appliesTo('text', context)).toBe(true);
  });

  it('never quotes the answer in its details', () => {
    expect(judge.judge('My card number is 4111 1111 1111 1111 [1].', context).details).not.toContain('4111');
  });
});
