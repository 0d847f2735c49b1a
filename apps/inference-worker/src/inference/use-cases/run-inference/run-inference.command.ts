import type { InferenceRequestV1 } from '@llm/contracts';

export class RunInferenceCommand {
  private constructor(
    readonly request: InferenceRequestV1,
    /** Kafka delivery attempt: information on usage and results, never part of a call's identity. */
    readonly attempt: number,
    readonly maxAttempts: number,
  ) {}

  static create(request: InferenceRequestV1, attempt: number, maxAttempts: number): RunInferenceCommand {
    if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt must be a positive integer');
    return new RunInferenceCommand(request, attempt, maxAttempts);
  }
}
