import { hashApiKey } from '@llm/db';
import { AuthError } from './auth.errors';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import type { Principal, TenantRecord } from './principal';
import { TenantDirectory } from './tenant-directory';

class FakeDirectory extends TenantDirectory {
  lookups = 0;
  readonly keys = new Map<string, Principal & { active: boolean }>();
  async findPrincipal(hash: string) {
    this.lookups++;
    return this.keys.get(hash);
  }
  async findTenant(): Promise<TenantRecord | undefined> {
    return undefined;
  }
}

const sha = hashApiKey;

describe('ApiKeyAuthenticator', () => {
  let dir: FakeDirectory;
  let auth: ApiKeyAuthenticator;

  beforeEach(() => {
    dir = new FakeDirectory();
    dir.keys.set(sha('sk-good-key-123'), { tenantId: 'acme', tier: 'paid', apiKeyId: 'k1', active: true });
    dir.keys.set(sha('sk-suspended-1'), { tenantId: 'gone', tier: 'free', apiKeyId: 'k2', active: false });
    auth = new ApiKeyAuthenticator(dir, { AUTH_CACHE_TTL_MS: 60_000 });
  });

  it('resolves a valid key to its tenant and caches the lookup', async () => {
    expect(await auth.authenticate('Bearer sk-good-key-123')).toEqual({ tenantId: 'acme', tier: 'paid', apiKeyId: 'k1' });
    await auth.authenticate('bearer sk-good-key-123');
    expect(dir.lookups).toBe(1);
  });

  it.each([
    [undefined, 'MISSING_API_KEY'],
    ['sk-good-key-123', 'INVALID_API_KEY'],
    ['Basic dXNlcjpwYXNz', 'INVALID_API_KEY'],
    ['Bearer short', 'INVALID_API_KEY'],
    ['Bearer sk-unknown-key-999', 'INVALID_API_KEY'],
    [`Bearer ${'x'.repeat(5000)}`, 'INVALID_API_KEY'],
    ['Bearer sk-suspended-1', 'TENANT_SUSPENDED'],
  ])('refuses %p with %s', async (header, code) => {
    const err = await auth.authenticate(header).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe(code);
  });

  it('caches unknown keys too, so a flood of bad keys does not reach the database', async () => {
    for (let i = 0; i < 5; i++) await auth.authenticate('Bearer sk-unknown-key-999').catch(() => undefined);
    expect(dir.lookups).toBe(1);
  });
});
