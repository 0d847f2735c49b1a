import { tenantId as tenantIdSchema } from '@llm/contracts';
import { EvaluatorError } from '../../../evaluation/evaluation.errors';

export class BuildOnlineReportCommand {
  private constructor(
    readonly tenantId: string,
    readonly hours: number,
  ) {}

  static create(tenantId: unknown, hours: unknown): BuildOnlineReportCommand {
    const parsed = tenantIdSchema.safeParse(tenantId);
    if (!parsed.success) throw new EvaluatorError('INVALID_TENANT', 'tenant_id is missing or invalid');
    const h = hours === undefined ? 24 : Number(hours);
    if (!Number.isInteger(h) || h < 1 || h > 24 * 90) throw new EvaluatorError('INVALID_REQUEST', 'hours must be a whole number from 1 to 2160');
    return new BuildOnlineReportCommand(parsed.data, h);
  }
}
