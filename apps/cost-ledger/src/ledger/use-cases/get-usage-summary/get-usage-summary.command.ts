import { tenantId as tenantIdSchema } from '@llm/contracts';
import { LedgerError } from '../../ledger.errors';

const MAX_RANGE_MS = 366 * 24 * 3600 * 1000;

export class GetUsageSummaryCommand {
  private constructor(
    readonly tenantId: string,
    readonly from: Date,
    readonly to: Date,
  ) {}

  /** Defaults to the last 24 hours; refuses ranges over a year, reversed ranges and malformed input. */
  static create(query: { tenant_id?: unknown; from?: unknown; to?: unknown }, now = new Date()): GetUsageSummaryCommand {
    const tenant = tenantIdSchema.safeParse(query.tenant_id);
    if (!tenant.success) throw new LedgerError('INVALID_QUERY', 'tenant_id is required and must be a valid tenant id');
    const to = query.to === undefined ? now : parseDate(query.to, 'to');
    const from = query.from === undefined ? new Date(to.getTime() - 24 * 3600 * 1000) : parseDate(query.from, 'from');
    if (from >= to) throw new LedgerError('INVALID_QUERY', '`from` must be before `to`');
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new LedgerError('INVALID_QUERY', 'the range may span at most 366 days');
    return new GetUsageSummaryCommand(tenant.data, from, to);
  }
}

function parseDate(value: unknown, name: string): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new LedgerError('INVALID_QUERY', `\`${name}\` must be an ISO 8601 date or date-time`);
  return date;
}
