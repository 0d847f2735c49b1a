import type { RetrieveRequestV1 } from '@llm/contracts';

export class RetrieveContextCommand {
  private constructor(readonly request: RetrieveRequestV1) {}

  static create(request: RetrieveRequestV1): RetrieveContextCommand {
    return new RetrieveContextCommand(request);
  }

  get tenantId(): string {
    return this.request.tenant_id;
  }
}
