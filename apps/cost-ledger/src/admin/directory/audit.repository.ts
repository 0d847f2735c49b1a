import type { Prisma } from '@llm/db';
import type { AdminPrincipal } from '../auth/admin-principal';

export interface AuditEntry {
  tenantId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  /** What changed; never a secret. */
  details?: Record<string, unknown>;
}

/** Writes the audit row inside the change's own transaction: no change without its record, and no record without the change. */
export async function audit(tx: Prisma.TransactionClient, who: AdminPrincipal, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actor: who.actor,
      actorRole: who.role,
      tenantId: entry.tenantId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: JSON.parse(JSON.stringify(entry.details ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Prisma.InputJsonValue,
    },
  });
}
