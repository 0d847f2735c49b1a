import { embeddingCacheKey, TenantKeys, tokenStatesCacheKey } from './tenant-keys';

describe('TenantKeys', () => {
  it('prefixes every key with the tenant', () => {
    const k = new TenantKeys('acme');
    expect(k.requestStream('r1')).toBe('t:acme:stream:r1');
    expect(k.exactCache('ab12'.repeat(8))).toMatch(/^t:acme:cache:exact:/);
    expect(k.inferenceOutbox('r1')).toBe('t:acme:outbox:r1');
    expect(k.inferenceLease('r1')).toBe('t:acme:lease:r1');
    expect(k.admissionSlots('conn')).toBe('t:acme:adm:conn');
    expect(k.admissionSlots('inflight', 'key-1')).toBe(`${k.admissionKeySlotsPrefix('inflight')}key-1`);
    expect(k.admissionKeySlotsPrefix('inflight')).toMatch(/^t:acme:/);
    expect(k.admissionInFlightOwners()).toMatch(/^t:acme:/);
  });

  it.each(['acme:other', 'ACME', '', 'a b', 'x*', '../t'])('rejects the tenant id %p', (id) => {
    expect(() => new TenantKeys(id)).toThrow();
  });

  it('refuses a non-hex cache hash', () => {
    expect(() => new TenantKeys('acme').exactCache('t:other:cache')).toThrow();
  });

  it('keys token states beside the embedding of the same model and text, with the same checks', () => {
    const hash = 'ab'.repeat(32);
    expect(embeddingCacheKey('m-1', hash)).toBe(`emb:m-1:${hash}`);
    expect(tokenStatesCacheKey('m-1', hash)).toBe(`emb-tok:m-1:${hash}`);
    expect(() => tokenStatesCacheKey('m-1', 'not-a-hash')).toThrow();
    expect(() => tokenStatesCacheKey('m 1', hash)).toThrow();
  });
});
