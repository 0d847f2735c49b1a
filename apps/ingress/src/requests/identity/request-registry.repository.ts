import { Inject, Injectable } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';
import { unavailableOnFailure } from '@llm/errors';
import { RequestError } from '../requests.errors';
import { RequestRegistry, type RegisteredRequest, type RequestRegistration } from './request-registry';

interface Row {
  fingerprint: string;
  created_at: Date;
  deadline_at: Date | null;
  accepted_at: Date | null;
}

/** request_registry in Postgres (migration 20261123100000_request_registry). Every query is scoped by tenant. */
@Injectable()
export class RequestRegistryRepository extends RequestRegistry {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {
    super();
  }

  async claim(tenantId: string, requestId: string, r: RequestRegistration): Promise<RegisteredRequest | undefined> {
    return unavailableOnFailure('the request registry', async () => {
      // Insert-or-nothing is one atomic step: of two racing requests with one id, exactly one registers it.
      const inserted = await this.prisma.$queryRaw<Array<{ request_id: string }>>`
        insert into request_registry (tenant_id, request_id, fingerprint, upstream_id, created_at, deadline_at)
        values (${tenantId}, ${requestId}::uuid, ${r.fingerprint}, ${r.upstreamId ?? null}, ${new Date(r.createdAt)}, ${r.deadlineAt ? new Date(r.deadlineAt) : null})
        on conflict (tenant_id, request_id) do nothing
        returning request_id`;
      if (inserted.length > 0) return undefined;
      const earlier = await this.read(tenantId, requestId);
      // Released between our insert and this read: the id is free again, and the caller's retry will take it.
      if (!earlier) throw new RequestError('UNAVAILABLE', 'the request id is being released; retry shortly', true, { retryAfterS: 1 });
      return earlier;
    });
  }

  find(tenantId: string, requestId: string): Promise<RegisteredRequest | undefined> {
    return unavailableOnFailure('the request registry', () => this.read(tenantId, requestId));
  }

  private async read(tenantId: string, requestId: string): Promise<RegisteredRequest | undefined> {
    const rows = await this.prisma.$queryRaw<Row[]>`
      select fingerprint, created_at, deadline_at, accepted_at from request_registry
      where tenant_id = ${tenantId} and request_id = ${requestId}::uuid`;
    const row = rows[0];
    return row
      ? { fingerprint: row.fingerprint, createdAt: row.created_at.toISOString(), deadlineAt: row.deadline_at?.toISOString(), accepted: row.accepted_at !== null }
      : undefined;
  }

  async markAccepted(tenantId: string, requestId: string): Promise<void> {
    await unavailableOnFailure(
      'the request registry',
      () => this.prisma.$executeRaw`update request_registry set accepted_at = now() where tenant_id = ${tenantId} and request_id = ${requestId}::uuid and accepted_at is null`,
    );
  }

  async release(tenantId: string, requestId: string): Promise<void> {
    await unavailableOnFailure(
      'the request registry',
      () => this.prisma.$executeRaw`delete from request_registry where tenant_id = ${tenantId} and request_id = ${requestId}::uuid and accepted_at is null`,
    );
  }
}
