import { DomainError, isRetryable } from '@llm/errors';
import { EvaluatorError, evaluatorHttpErrorMapper } from './evaluation.errors';

class OtherError extends DomainError<'X'> {
  readonly kind = 'other';
}

describe('evaluatorHttpErrorMapper', () => {
  it('maps evaluator codes to statuses and leaves other errors alone', () => {
    expect(evaluatorHttpErrorMapper(new EvaluatorError('INVALID_TENANT', 'bad'))).toBe(400);
    expect(evaluatorHttpErrorMapper(new OtherError('X', 'x'))).toBeUndefined();
  });

  it('is not retryable, even when wrapped', () => {
    expect(isRetryable(new Error('wrapped', { cause: new EvaluatorError('INVALID_TENANT', 'bad') }))).toBe(false);
  });
});
