import { Inject, Injectable } from '@nestjs/common';
import type { Catalog } from '@llm/catalog';
import { requestId as requestIdSchema } from '@llm/contracts';
import type { z } from 'zod';
import { AdminError } from '../admin.errors';
import { cursor } from '../admin-input';
import { access, type AdminPrincipal } from '../auth/admin-principal';
import { estimateCost, type estimateBody } from './estimate-cost.use-case';
import { parseDate, USAGE_PAGE_MAX, UsageQueryCommand } from './usage-query.command';
import { UsageQueryRepository, type UsageGroup } from './usage-query.repository';

export const CATALOG = Symbol('CATALOG');
const DAY_MS = 86_400_000;
/** A CSV export walks the pages up to this many groups; past it, narrow the range or the grouping. */
export const CSV_MAX_ROWS = 50_000;

/** Every admin read, scoped to what the caller may see before any query runs. */
@Injectable()
export class AdminReadsUseCase {
  constructor(
    private readonly repo: UsageQueryRepository,
    @Inject(CATALOG) private readonly catalog: Catalog,
  ) {}

  async usage(p: AdminPrincipal, command: UsageQueryCommand) {
    const scoped = command.withTenant(access.tenantFilter(p, command.filters.tenantId));
    const { rows, last } = await this.repo.usage(scoped);
    const next = last ? scoped.cursorAfter(last) : null;
    return { from: scoped.from.toISOString(), to: scoped.to.toISOString(), group_by: scoped.groupBy, source: scoped.table, truncated: next !== null, next_cursor: next, rows };
  }

  /** Every group of the query (from its cursor on) for a CSV file, page by page; `truncated` past CSV_MAX_ROWS. */
  async usageExport(p: AdminPrincipal, command: UsageQueryCommand): Promise<{ rows: UsageGroup[]; truncated: boolean }> {
    let page = command.withTenant(access.tenantFilter(p, command.filters.tenantId)).withPage(USAGE_PAGE_MAX, command.after);
    const rows: UsageGroup[] = [];
    for (;;) {
      const { rows: got, last } = await this.repo.usage(page);
      rows.push(...got);
      if (!last) return { rows, truncated: false };
      if (rows.length >= CSV_MAX_ROWS) return { rows: rows.slice(0, CSV_MAX_ROWS), truncated: true };
      page = page.withPage(USAGE_PAGE_MAX, page.keyOf(last));
    }
  }

  async topSpenders(p: AdminPrincipal, q: Record<string, unknown>, limit: number) {
    const { from, to } = range(q);
    // A scoped caller's "top" is its own tenant; it never sees the others' ranking.
    if (p.tenantId !== null)
      return {
        from,
        to,
        rows: (await this.repo.savings(new Date(from), new Date(to), p.tenantId)).map(({ tenant_id, cost_micros, calls, saved_micros }) => ({
          tenant_id,
          cost_micros,
          calls,
          saved_micros,
        })),
      };
    return { from, to, rows: await this.repo.topSpenders(new Date(from), new Date(to), limit) };
  }

  async savings(p: AdminPrincipal, q: Record<string, unknown>) {
    const { from, to } = range(q);
    const tenant = access.tenantFilter(p, typeof q.tenant_id === 'string' ? q.tenant_id : undefined);
    return { from, to, rows: await this.repo.savings(new Date(from), new Date(to), tenant) };
  }

  async requestCost(p: AdminPrincipal, tenantId: string, requestId: string) {
    access.read(p, tenantId);
    if (!requestIdSchema.safeParse(requestId).success) throw new AdminError('NOT_FOUND', 'no usage for this request');
    const calls = await this.repo.requestCalls(tenantId, requestId);
    if (calls.length === 0) throw new AdminError('NOT_FOUND', 'no usage for this request');
    return {
      tenant_id: tenantId,
      request_id: requestId,
      cost_micros: calls.reduce((a, c) => a + c.cost_micros, 0),
      saved_micros: calls.reduce((a, c) => a + c.saved_micros, 0),
      tokens_in: calls.reduce((a, c) => a + c.tokens_in, 0),
      tokens_out: calls.reduce((a, c) => a + c.tokens_out, 0),
      calls,
    };
  }

  async events(p: AdminPrincipal, tenantId: string, q: Record<string, unknown>, limit: number) {
    access.read(p, tenantId);
    const { from, to } = range(q);
    const after = cursor.decode<{ at: string; id: string }>(q.cursor, ['at', 'id']);
    const page = await this.repo.events(tenantId, new Date(from), new Date(to), limit, after);
    return { rows: page.rows, next_cursor: page.next ? cursor.encode(page.next) : null };
  }

  async alerts(p: AdminPrincipal, q: Record<string, unknown>, limit: number) {
    const tenant = access.tenantFilter(p, typeof q.tenant_id === 'string' ? q.tenant_id : undefined);
    const before = cursor.decode<{ at: string; id: string }>(q.cursor, ['at', 'id']);
    const page = await this.repo.alerts(tenant, limit, before);
    return { rows: page.rows, next_cursor: page.next ? cursor.encode(page.next) : null };
  }

  async audit(p: AdminPrincipal, q: Record<string, unknown>, limit: number) {
    const tenant = access.tenantFilter(p, typeof q.tenant_id === 'string' ? q.tenant_id : undefined);
    const before = cursor.decode<{ id: string }>(q.cursor, ['id']);
    const page = await this.repo.audit(tenant, limit, before?.id);
    return { rows: page.rows, next_cursor: page.next ? cursor.encode({ id: page.next }) : null };
  }

  estimate(body: z.infer<typeof estimateBody>) {
    return estimateCost(this.catalog, body);
  }
}

function range(q: Record<string, unknown>): { from: string; to: string } {
  const to = q.to === undefined ? new Date(Math.ceil(Date.now() / DAY_MS) * DAY_MS) : parseDate(q.to, 'to');
  const from = q.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : parseDate(q.from, 'from');
  if (from >= to) throw new AdminError('INVALID_REQUEST', '`from` must be before `to`');
  return { from: from.toISOString(), to: to.toISOString() };
}
