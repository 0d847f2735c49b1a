import { AdminError } from '../admin.errors';

export type AdminRole = 'platform_admin' | 'tenant_admin' | 'read_only';

/** Who calls the admin API, from the admin token alone. tenantId null: every tenant. */
export interface AdminPrincipal {
  actor: string;
  role: AdminRole;
  tenantId: string | null;
}

/**
 * Access decisions, deny by default. Reads: any role, within its tenant when it has one. Writes: platform
 * admins anywhere, tenant admins in their own tenant only; read-only never. Another tenant's resources answer
 * NOT_FOUND, so a tenant admin cannot even learn that a tenant id exists.
 */
export const access = {
  read(p: AdminPrincipal, tenantId: string): void {
    if (p.tenantId !== null && p.tenantId !== tenantId) throw new AdminError('NOT_FOUND', 'no such tenant');
  },
  write(p: AdminPrincipal, tenantId: string): void {
    access.read(p, tenantId);
    if (p.role === 'read_only') throw new AdminError('FORBIDDEN', 'this admin token is read-only');
  },
  platform(p: AdminPrincipal): void {
    if (p.role !== 'platform_admin') throw new AdminError('FORBIDDEN', 'only a platform admin may do this');
  },
  /** The tenant filter a query must carry: the caller's own tenant, or what it asked for when it may see all. */
  tenantFilter(p: AdminPrincipal, requested: string | undefined): string | undefined {
    if (p.tenantId === null) return requested;
    if (requested !== undefined && requested !== p.tenantId) throw new AdminError('NOT_FOUND', 'no such tenant');
    return p.tenantId;
  },
};
