import type { ChatRequestBody } from '@llm/contracts';
import { INITIAL_VERSIONS, semanticContextHash, semanticEntryId, semanticQuestion } from './semantic-key';

const body = (question: string, extra: Partial<ChatRequestBody> = {}): ChatRequestBody => ({
  model: 'auto',
  temperature: 0,
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: question },
  ],
  ...extra,
});
const request = (b: ChatRequestBody, extra: { tenant_id?: string; feature?: string; rag?: { collection: string; top_k: number } } = {}) => ({
  tenant_id: 'acme',
  body: b,
  ...extra,
});

describe('semantic key', () => {
  it('normalises the last user turn and ignores case, spacing and trailing punctuation', () => {
    expect(semanticQuestion(body('  What is   your Refund policy?? '))).toBe('what is your refund policy');
    expect(semanticQuestion(body('ｗｈａｔ'))).toBe('what');
    expect(semanticQuestion({ model: 'auto', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }] })).toBe('hi there');
  });

  it('does not match requests whose last turn is not a user question in text', () => {
    expect(
      semanticQuestion({
        model: 'auto',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', content: 'r', tool_call_id: 't' },
        ],
      }),
    ).toBeUndefined();
    expect(semanticQuestion({ model: 'auto', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:' } }] }] })).toBeUndefined();
    expect(semanticQuestion(body(' ?! '))).toBeUndefined();
  });

  it('the context hash ignores the question but not what else the answer depends on', () => {
    const base = semanticContextHash(request(body('q1')), INITIAL_VERSIONS);
    expect(semanticContextHash(request(body('another question')), INITIAL_VERSIONS)).toBe(base);
    const differs = [
      request(body('q1'), { tenant_id: 'globex' }),
      request(body('q1'), { feature: 'support' }),
      request(body('q1'), { rag: { collection: 'docs', top_k: 3 } }),
      request({
        ...body('q1'),
        messages: [
          { role: 'system', content: 'be long' },
          { role: 'user', content: 'q1' },
        ],
      }),
      request({
        ...body('q1'),
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'earlier' },
          { role: 'assistant', content: 'a' },
          { role: 'user', content: 'q1' },
        ],
      }),
      request(body('q1', { tools: [{ type: 'function', function: { name: 'f' } }] })),
      request(body('q1', { response_format: { type: 'json_object' } })),
      request(body('q1', { model: 'sim-large' })),
    ];
    for (const other of differs) expect(semanticContextHash(other, INITIAL_VERSIONS)).not.toBe(base);
    for (const versions of [
      { ...INITIAL_VERSIONS, tenant: '1' },
      { ...INITIAL_VERSIONS, feature: '1' },
      { ...INITIAL_VERSIONS, collection: '1' },
    ]) {
      expect(semanticContextHash(request(body('q1')), versions)).not.toBe(base);
    }
  });

  it('entry ids are per question and context', () => {
    expect(semanticEntryId('c', 'q')).toMatch(/^[a-f0-9]{64}$/);
    expect(semanticEntryId('c', 'q')).not.toBe(semanticEntryId('c2', 'q'));
  });
});
