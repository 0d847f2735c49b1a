import { agreementVerdict } from './shadow-replay';

describe('agreementVerdict', () => {
  it('scores token F1 against the recorded answer', () => {
    expect(agreementVerdict('Paris is the capital of France.', 'The capital of France is Paris.')).toMatchObject({ score: 1, passed: true });
    expect(agreementVerdict('Paris is the capital of France.', 'Lyon is a large city.')).toMatchObject({ score: 0, passed: false });
    const partial = agreementVerdict('The tower was completed in 1889 in Paris.', 'The tower was completed in 1889.');
    expect(partial.score).toBeGreaterThan(0.5);
    expect(partial.score).toBeLessThan(1);
  });

  it('treats two empty answers as agreeing', () => {
    expect(agreementVerdict('', '')).toMatchObject({ score: 1, passed: true });
  });
});
