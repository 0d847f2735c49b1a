import type { ChatRequestBody } from '@llm/contracts';
import { canonicalJson, exactCacheKey } from './exact-cache-key';

const body: ChatRequestBody = {
  model: 'auto',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi' },
  ],
  temperature: 0,
};

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
    ['max completion tokens', 'acme', { ...body, max_completion_tokens: 5 }],
    ['another tool', 'acme', { ...body, tools: [{ type: 'function', function: { name: 'g' } }] }],
    ["another tool's parameters", 'acme', { ...body, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] }],
    ['tool_choice', 'acme', { ...body, tool_choice: 'required' }],
    ['response_format', 'acme', { ...body, response_format: { type: 'json_object' } }],
    ['top_p', 'acme', { ...body, top_p: 0.5 }],
    ['n', 'acme', { ...body, n: 1 }],
    ['stop', 'acme', { ...body, stop: ['\n'] }],
    ['seed', 'acme', { ...body, seed: 42 }],
    ['presence penalty', 'acme', { ...body, presence_penalty: 1 }],
    ['frequency penalty', 'acme', { ...body, frequency_penalty: 1 }],
    ['logprobs', 'acme', { ...body, logprobs: true }],
    ['top_logprobs', 'acme', { ...body, logprobs: true, top_logprobs: 3 }],
  ] as const)('changes with %s', (_what, tenant, other) => {
    expect(exactCacheKey(tenant, other as ChatRequestBody)).not.toBe(exactCacheKey('acme', body));
  });

  it("changes with the response format's schema", () => {
    const schema = (type: string): ChatRequestBody => ({
      ...body,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type } } } } },
    });
    expect(exactCacheKey('acme', schema('string'))).not.toBe(exactCacheKey('acme', schema('number')));
  });

  it('changes with the RAG collection, its top_k and its version', () => {
    const docs = exactCacheKey('acme', body, { collection: 'docs', top_k: 5 });
    expect(docs).not.toBe(exactCacheKey('acme', body));
    expect(docs).not.toBe(exactCacheKey('acme', body, { collection: 'wiki', top_k: 5 }));
    expect(docs).not.toBe(exactCacheKey('acme', body, { collection: 'docs', top_k: 3 }));
    expect(docs).not.toBe(exactCacheKey('acme', body, { collection: 'docs', top_k: 5 }, 'v1'));
    expect(docs).toBe(exactCacheKey('acme', body, { collection: 'docs', top_k: 5 }, 'v0'));
  });

  it('does not change with stream or user, which do not change the answer', () => {
    expect(exactCacheKey('acme', { ...body, stream: true, user: 'u1' })).toBe(exactCacheKey('acme', body));
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }], u: undefined })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });
});
