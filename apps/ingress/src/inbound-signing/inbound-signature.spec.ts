import { signInbound, verifyInbound } from './inbound-signature';

describe('inbound signatures', () => {
  const old = { id: 'k-2026-01', secret: 'a'.repeat(40) };
  const next = { id: 'k-2026-06', secret: 'b'.repeat(40) };
  const keys = { acme: [old, next] };
  const value = Buffer.from('{"request_id":"o-1","tenant_id":"acme","body":{}}');

  it('accepts an event signed with either active secret, named or not (rotation without a gap)', () => {
    expect(verifyInbound(keys, 'acme', value, signInbound(old.secret, value), undefined, true)).toEqual({ ok: true, keyId: old.id });
    expect(verifyInbound(keys, 'acme', value, signInbound(next.secret, value), next.id, true)).toEqual({ ok: true, keyId: next.id });
  });

  it.each([
    ['unsigned', undefined, undefined],
    ['mismatch', signInbound('c'.repeat(40), value), undefined],
    ['unknown-key', signInbound(old.secret, value), 'k-gone'],
    ['malformed', 'sha256=abc', undefined],
  ] as const)('refuses %s', (reason, signature, keyId) => {
    expect(verifyInbound(keys, 'acme', value, signature, keyId, false)).toEqual({ ok: false, reason });
  });

  it('refuses a signature made over other bytes, and another tenant’s claim with acme’s signature', () => {
    expect(verifyInbound(keys, 'acme', Buffer.from(`${value.toString()} `), signInbound(old.secret, value), undefined, true).ok).toBe(false);
    expect(verifyInbound({ ...keys, globex: [{ id: 'g', secret: 'g'.repeat(40) }] }, 'globex', value, signInbound(old.secret, value), undefined, true).ok).toBe(false);
  });

  it('lets a tenant without secrets send unsigned events only when signatures are not required', () => {
    expect(verifyInbound(keys, 'dev', value, undefined, undefined, false)).toEqual({ ok: true });
    expect(verifyInbound(keys, 'dev', value, undefined, undefined, true)).toEqual({ ok: false, reason: 'unsigned' });
  });
});
