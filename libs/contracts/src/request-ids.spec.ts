import { idempotentRequestId, inboundRequestId } from './request-ids';
import { uuidV5 } from './uuid-v5';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it.each([
    ['python.org', '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    ['www.example.com', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
  ])('matches the reference implementation for %s', (name, expected) => {
    expect(uuidV5(name, DNS)).toBe(expected);
  });
});

describe('request ids', () => {
  it('scopes an upstream id by its tenant', () => {
    expect(inboundRequestId('acme', 'order-1')).toBe(inboundRequestId('acme', 'order-1'));
    expect(inboundRequestId('acme', 'order-1')).not.toBe(inboundRequestId('globex', 'order-1'));
    expect(inboundRequestId('acme', 'order-1')).not.toBe(idempotentRequestId('acme', 'order-1'));
  });
});
