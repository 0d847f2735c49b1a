import type { RetrieveRequestV1 } from '@llm/contracts';

export class RetrieveContextCommand {
  private constructor(
    readonly request: RetrieveRequestV1,
    /** Kafka delivery attempt, carried into a terminal result this stage writes. */
    readonly attempt: number,
  ) {}

  static create(request: RetrieveRequestV1, attempt: number): RetrieveContextCommand {
    return new RetrieveContextCommand(request, attempt);
  }

  get tenantId(): string {
    return this.request.tenant_id;
  }
}
