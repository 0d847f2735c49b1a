import { access, type AdminPrincipal } from './admin-principal';

describe('admin access', () => {
  const platform: AdminPrincipal = { actor: 'p', role: 'platform_admin', tenantId: null };
  const tenantAdmin: AdminPrincipal = { actor: 't', role: 'tenant_admin', tenantId: 'acme' };
  const reader: AdminPrincipal = { actor: 'r', role: 'read_only', tenantId: 'acme' };

  it('lets a tenant admin read and write its own tenant only', () => {
    expect(() => access.write(tenantAdmin, 'acme')).not.toThrow();
    expect(() => access.read(tenantAdmin, 'globex')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => access.write(tenantAdmin, 'globex')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => access.platform(tenantAdmin)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('never lets a read-only token write', () => {
    expect(() => access.read(reader, 'acme')).not.toThrow();
    expect(() => access.write(reader, 'acme')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('forces a scoped caller onto its own tenant in queries', () => {
    expect(access.tenantFilter(tenantAdmin, undefined)).toBe('acme');
    expect(() => access.tenantFilter(tenantAdmin, 'globex')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(access.tenantFilter(platform, undefined)).toBeUndefined();
    expect(access.tenantFilter(platform, 'globex')).toBe('globex');
  });
});
