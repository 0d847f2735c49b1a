import { tenantId as tenantIdSchema } from '@llm/contracts';
import { EvaluatorError } from '../../evaluation.errors';

export class GetSummaryCommand {
  private constructor(readonly tenantId: string) {}

  static create(tenantId: unknown): GetSummaryCommand {
    const parsed = tenantIdSchema.safeParse(tenantId);
    if (!parsed.success) throw new EvaluatorError('INVALID_TENANT', 'tenant_id is missing or invalid');
    return new GetSummaryCommand(parsed.data);
  }
}
