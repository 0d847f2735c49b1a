import type { Principal, TenantRecord } from './principal';

/** Where keys and tenants are looked up; the Prisma repository implements it, tests fake it. */
export abstract class TenantDirectory {
  /** The principal for an API key hash, or undefined when the key is unknown or revoked. */
  abstract findPrincipal(keyHash: string): Promise<(Principal & { active: boolean }) | undefined>;
  abstract findTenant(tenantId: string): Promise<TenantRecord | undefined>;
}
