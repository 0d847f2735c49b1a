import { countPromptTokens } from '@llm/tokens';
import { PromptTokenMemo } from './prompt-token-memo';

const user = (content: unknown) => [{ role: 'user', content }];

describe('PromptTokenMemo', () => {
  it('counts exactly as the tokenizer does, for remembered and new prompts alike', () => {
    const memo = new PromptTokenMemo();
    const prompts = [user('hello there, how are you?'), [{ content: 'system rules' }, { content: [{ type: 'text', text: 'part one' }, { type: 'image_url' }] }], user('')];
    for (const messages of [...prompts, ...prompts]) expect(memo.promptTokens(messages)).toBe(countPromptTokens(messages));
  });

  it('tokenizes a repeated prompt once', () => {
    const count = jest.fn((text: string) => text.length);
    const memo = new PromptTokenMemo(8, 100, count);
    expect(memo.promptTokens(user('abc'))).toBe(3);
    expect(memo.promptTokens(user('abc'))).toBe(3);
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('forgets the least recently used prompt when full', () => {
    const count = jest.fn((text: string) => text.length);
    const memo = new PromptTokenMemo(2, 100, count);
    memo.promptTokens(user('a'));
    memo.promptTokens(user('bb'));
    memo.promptTokens(user('a')); // a is now the most recent
    memo.promptTokens(user('ccc')); // evicts bb
    count.mockClear();
    memo.promptTokens(user('a'));
    expect(count).not.toHaveBeenCalled();
    memo.promptTokens(user('bb'));
    expect(count).toHaveBeenCalledWith('bb');
  });

  it('does not remember prompts longer than its limit', () => {
    const count = jest.fn((text: string) => text.length);
    const memo = new PromptTokenMemo(8, 4, count);
    memo.promptTokens(user('longer than four'));
    memo.promptTokens(user('longer than four'));
    expect(count).toHaveBeenCalledTimes(2);
  });
});
