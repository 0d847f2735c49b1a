import { tenantId as tenantIdSchema, usageV1 } from '@llm/contracts';
import { hashUserId } from '@llm/telemetry';
import { cursor, parseLimit } from '../admin-input';
import { AdminError } from '../admin.errors';

export const DIMENSIONS = ['tenant', 'user', 'feature', 'model', 'provider', 'fallback_step', 'day', 'hour'] as const;
/** The route plan steps a usage event may name (usage.v1 `fallback_step`). */
const FALLBACK_STEPS: readonly string[] = usageV1.shape.fallback_step.unwrap().options;
export type Dimension = (typeof DIMENSIONS)[number];
export type RollupTable = 'usage_hourly' | 'usage_daily' | 'usage_daily_users' | 'usage_daily_tenants';

const MAX_RANGE_MS = 366 * 86_400_000;
/** Groups per page: a page of an all-tenants query stays a few index probes, whatever the ledger holds. */
export const USAGE_PAGE_DEFAULT = 1_000;
export const USAGE_PAGE_MAX = 10_000;
const DAY_MS = 86_400_000;

export interface UsageFilters {
  tenantId?: string;
  userHash?: string;
  feature?: string;
  model?: string;
  provider?: string;
  fallbackStep?: string;
}

/**
 * A usage query answered from rollups: [from, to) in UTC, grouped by any of the dimensions, with filters.
 * The rollup is chosen from what is asked: per user (tenant, user, day only), per hour (or a range not on
 * day boundaries), per tenant and day only, else the daily tenant x feature x model x provider x fallback step
 * rollup. Groups come in `group_by` order, `limit` per page; `after` holds the last group's key of the page
 * before (keyset paging, so a deep page costs what the first does).
 */
export class UsageQueryCommand {
  private constructor(
    readonly from: Date,
    readonly to: Date,
    readonly groupBy: Dimension[],
    readonly filters: UsageFilters,
    readonly table: RollupTable,
    readonly limit = USAGE_PAGE_DEFAULT,
    readonly after?: readonly string[],
  ) {}

  static create(q: Record<string, unknown>, now = new Date()): UsageQueryCommand {
    const to = q.to === undefined ? new Date(Math.ceil(now.getTime() / DAY_MS) * DAY_MS) : parseDate(q.to, 'to');
    const from = q.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : parseDate(q.from, 'from');
    if (from >= to) throw new AdminError('INVALID_REQUEST', '`from` must be before `to`');
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new AdminError('INVALID_REQUEST', 'the range may span at most 366 days');
    const groupBy = str(q.group_by, 'group_by', 200)
      ?.split(',')
      .map((d) => d.trim()) ?? ['tenant'];
    for (const d of groupBy) if (!(DIMENSIONS as readonly string[]).includes(d)) throw new AdminError('INVALID_REQUEST', `group_by takes ${DIMENSIONS.join(', ')}; got ${d}`);
    const dims = [...new Set(groupBy)] as Dimension[];
    if (dims.includes('day') && dims.includes('hour')) throw new AdminError('INVALID_REQUEST', 'group_by takes day or hour, not both');
    const tenant = str(q.tenant_id, 'tenant_id', 64);
    if (tenant !== undefined && !tenantIdSchema.safeParse(tenant).success) throw new AdminError('INVALID_REQUEST', 'tenant_id is not a valid tenant id');
    const user = str(q.user_id, 'user_id', 256);
    const filters: UsageFilters = {
      tenantId: tenant,
      userHash: user === undefined ? undefined : hashUserId(user),
      feature: str(q.feature, 'feature', 128),
      model: str(q.model, 'model', 128),
      provider: str(q.provider, 'provider', 64),
      fallbackStep: str(q.fallback_step, 'fallback_step', 32),
    };
    if (filters.fallbackStep !== undefined && !FALLBACK_STEPS.includes(filters.fallbackStep)) {
      throw new AdminError('INVALID_REQUEST', `fallback_step takes ${FALLBACK_STEPS.join(', ')}`);
    }
    const byKeyColumn = filters.feature || filters.model || filters.provider || filters.fallbackStep;
    const dayAligned = from.getTime() % DAY_MS === 0 && to.getTime() % DAY_MS === 0;
    let table: RollupTable;
    if (dims.includes('user') || filters.userHash !== undefined) {
      if (dims.some((d) => !['tenant', 'user', 'day'].includes(d)) || byKeyColumn || !dayAligned) {
        throw new AdminError(
          'INVALID_REQUEST',
          'per-user usage is kept per tenant and UTC day: group_by tenant,user,day only, whole days, no feature/model/provider/fallback_step filter',
        );
      }
      table = 'usage_daily_users';
    } else if (dims.includes('hour') || !dayAligned) table = 'usage_hourly';
    else if (dims.every((d) => d === 'tenant' || d === 'day') && !byKeyColumn) table = 'usage_daily_tenants';
    else table = 'usage_daily';
    return new UsageQueryCommand(from, to, dims, filters, table, parseLimit(q.limit, USAGE_PAGE_DEFAULT, USAGE_PAGE_MAX), afterKey(q.cursor, dims));
  }

  withTenant(tenantId: string | undefined): UsageQueryCommand {
    return new UsageQueryCommand(this.from, this.to, this.groupBy, { ...this.filters, tenantId }, this.table, this.limit, this.after);
  }

  withPage(limit: number, after: readonly string[] | undefined): UsageQueryCommand {
    return new UsageQueryCommand(this.from, this.to, this.groupBy, this.filters, this.table, limit, after);
  }

  /** A group's keyset key: its value of each dimension, in `group_by` order. */
  keyOf(group: Record<string, unknown>): string[] {
    return this.groupBy.map((d) => String(group[DIMENSION_COLUMN[d]]));
  }

  /** The cursor of the page after the one that ended with `last`. */
  cursorAfter(last: Record<string, unknown>): string {
    return cursor.encode({ group_by: this.groupBy.join(','), key: JSON.stringify(this.keyOf(last)) });
  }
}

/** The output column of each dimension (rows carry the rollups' column names). */
export const DIMENSION_COLUMN: Record<Dimension, string> = {
  tenant: 'tenant_id',
  user: 'user_hash',
  feature: 'feature',
  model: 'model',
  provider: 'provider',
  fallback_step: 'fallback_step',
  day: 'day',
  hour: 'hour',
};

/** A cursor is only good for the grouping that issued it: its key has one value per dimension, in order. */
function afterKey(v: unknown, dims: readonly Dimension[]): string[] | undefined {
  const c = cursor.decode<{ group_by: string; key: string }>(v, ['group_by', 'key']);
  if (c === undefined) return undefined;
  if (dims.length === 0 || c.group_by !== dims.join(',')) throw new AdminError('INVALID_REQUEST', 'cursor belongs to another group_by');
  let key: unknown;
  try {
    key = JSON.parse(c.key);
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== dims.length || !key.every((k) => typeof k === 'string')) throw new AdminError('INVALID_REQUEST', 'cursor is not one this API issued');
  return key as string[];
}

function str(v: unknown, name: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new AdminError('INVALID_REQUEST', `${name} must be one string of at most ${max} characters`);
  return v;
}

export function parseDate(value: unknown, name: string): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new AdminError('INVALID_REQUEST', `\`${name}\` must be an ISO 8601 date or date-time`);
  return date;
}
