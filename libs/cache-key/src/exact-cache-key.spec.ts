import type { ChatRequestBody } from '@llm/contracts';
import { canonicalJson, exactCacheKey } from './exact-cache-key';

const body: ChatRequestBody = { model: 'auto', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], temperature: 0 };

describe('exactCacheKey', () => {
  it('is stable and ignores field order', () => {
    const reordered = { temperature: 0, messages: body.messages, model: 'auto' } as ChatRequestBody;
    expect(exactCacheKey('acme', reordered)).toBe(exactCacheKey('acme', body));
    expect(exactCacheKey('acme', body)).toMatch(/^[a-f0-9]{64}$/);
  });

  it.each([
    ['another tenant', 'globex', body],
    ['another system prompt', 'acme', { ...body, messages: [{ role: 'system', content: 'be long' }, body.messages[1]!] }],
    ['another temperature', 'acme', { ...body, temperature: 0.7 }],
    ['another model', 'acme', { ...body, model: 'sim-large' }],
    ['tools', 'acme', { ...body, tools: [{ type: 'function', function: { name: 'f' } }] }],
    ['max tokens', 'acme', { ...body, max_tokens: 5 }],
  ] as const)('changes with %s', (_what, tenant, other) => {
    expect(exactCacheKey(tenant, other as ChatRequestBody)).not.toBe(exactCacheKey('acme', body));
  });

  it('does not change with stream or user, which do not change the answer', () => {
    expect(exactCacheKey('acme', { ...body, stream: true, user: 'u1' })).toBe(exactCacheKey('acme', body));
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }], u: undefined })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });
});
