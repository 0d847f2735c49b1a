import { randomBytes } from 'node:crypto';
import { waitFor } from '@llm/testing';
import { platformInfo, type PlatformInfo } from './support/platform';

/**
 * Issue 8's per-key limits through the real admin API (cost ledger) and a real ingress: a tenant admin sets an
 * override on one of its keys, every ingress applies it within a pub/sub hop, the tenant's other key is untouched,
 * and another tenant's admin cannot even see the key.
 */
describe('per-API-key admission overrides, admin API → ingress', () => {
  let p: PlatformInfo;
  const suffix = randomBytes(4).toString('hex');
  const tenantX = `e2e-keys-x-${suffix}`;
  const tenantY = `e2e-keys-y-${suffix}`;

  const admin = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${p.costLedgerUrl}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { platform_code?: string } } };
  };
  const submit = (key: string, model = 'sim-small') =>
    fetch(`${p.ingressUrl}/v1/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `key limits ${randomBytes(4).toString('hex')}` }], max_tokens: 8 }),
    });
  const models = async (key: string) =>
    ((await (await fetch(`${p.ingressUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] }).data.map((m) => m.id);

  beforeAll(() => {
    p = platformInfo();
  });

  it('limits the key with an override differently from its tenant’s other key, and only its own tenant admin may set it', async () => {
    for (const id of [tenantX, tenantY]) expect((await admin('POST', '/tenants', p.adminToken, { id, name: id, tier: 'paid' })).status).toBe(201);
    const adminX = String((await admin('POST', '/admin-tokens', p.adminToken, { name: 'x', role: 'tenant_admin', tenant_id: tenantX })).body.token);
    const adminY = String((await admin('POST', '/admin-tokens', p.adminToken, { name: 'y', role: 'tenant_admin', tenant_id: tenantY })).body.token);
    const restricted = (await admin('POST', `/tenants/${tenantX}/keys`, adminX, { name: 'restricted' })).body as unknown as { id: string; secret: string };
    const other = (await admin('POST', `/tenants/${tenantX}/keys`, adminX, { name: 'other' })).body as unknown as { id: string; secret: string };
    expect((await submit(restricted.secret)).status).toBe(202);
    expect(await models(restricted.secret)).toContain('sim-large');

    const path = `/tenants/${tenantX}/keys/${restricted.id}/limits`;
    const overrides = { limits: { requests_per_minute: 2 }, model_tiers: ['small'] };
    // Another tenant's admin: not found, and nothing changes.
    expect((await admin('PUT', path, adminY, overrides)).body).toMatchObject({ error: { platform_code: 'NOT_FOUND' } });
    expect((await admin('GET', path, adminY)).status).toBe(404);
    expect((await admin('GET', path, adminX)).body).toMatchObject({ overrides: null });

    expect((await admin('PUT', path, adminX, overrides)).status).toBe(200);
    await waitFor(async () => ((await submit(restricted.secret)).status === 429 ? true : undefined), { what: 'the key override in ingress', timeoutMs: 30_000, intervalMs: 250 });
    const refused = await submit(restricted.secret);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { platform_code: string } }).error.platform_code).toBe('RATE_LIMITED');
    expect(await models(restricted.secret)).not.toContain('sim-large');
    // The same tenant's other key: the plan's limits and models.
    for (let i = 0; i < 5; i++) expect((await submit(other.secret)).status).toBe(202);
    expect(await models(other.secret)).toContain('sim-large');

    expect((await admin('DELETE', path, adminY)).status).toBe(404);
    expect((await admin('DELETE', path, adminX)).status).toBe(200);
    await waitFor(async () => ((await submit(restricted.secret)).status === 202 ? true : undefined), { what: 'the override lifted', timeoutMs: 30_000, intervalMs: 250 });
    expect(await models(restricted.secret)).toContain('sim-large');

    const audit = (await admin('GET', `/audit?tenant_id=${tenantX}`, adminX)).body as unknown as { rows: { action: string; target_id: string }[] };
    expect(audit.rows.filter((r) => r.target_id === restricted.id).map((r) => r.action)).toEqual(['api_key.limits.delete', 'api_key.limits.put', 'api_key.create']);
  });
});
