import type { ChatCompletion, ChatRequestBody } from '@llm/contracts';
import { isCacheableRequest, isCompleteAnswer } from './cache-policy';

const body: ChatRequestBody = { model: 'auto', messages: [{ role: 'user', content: 'hi' }] };

const answer = (...reasons: ChatCompletion['choices'][number]['finish_reason'][]): ChatCompletion => ({
  id: 'c',
  object: 'chat.completion',
  created: 1,
  model: 'sim-small',
  choices: reasons.map((finish_reason, index) => ({ index, message: { role: 'assistant', content: 'x' }, finish_reason })),
});

describe('exact cache policy', () => {
  it('caches only deterministic requests by default: temperature 0 or a seed', () => {
    expect(isCacheableRequest({ ...body, temperature: 0 })).toBe(true);
    expect(isCacheableRequest({ ...body, temperature: 0.8, seed: 7 })).toBe(true);
    expect(isCacheableRequest({ ...body, temperature: 0.8 })).toBe(false);
    // No temperature means OpenAI's default of 1: a sampled answer.
    expect(isCacheableRequest(body)).toBe(false);
  });

  it('caches sampled answers only when the setting allows it', () => {
    expect(isCacheableRequest({ ...body, temperature: 0.8 }, { cacheSampled: true })).toBe(true);
  });

  it('accepts only answers whose every choice ended with stop or tool_calls', () => {
    expect(isCompleteAnswer(answer('stop'))).toBe(true);
    expect(isCompleteAnswer(answer('tool_calls'))).toBe(true);
    expect(isCompleteAnswer(answer('stop', 'tool_calls'))).toBe(true);
    expect(isCompleteAnswer(answer(null))).toBe(false);
    expect(isCompleteAnswer(answer('length'))).toBe(false);
    expect(isCompleteAnswer(answer('content_filter'))).toBe(false);
    expect(isCompleteAnswer(answer('function_call'))).toBe(false);
    expect(isCompleteAnswer(answer('stop', null))).toBe(false);
  });
});
