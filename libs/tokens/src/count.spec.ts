import { countPromptTokens, countTokens, promptText } from './count';

describe('countTokens', () => {
  it('counts BPE tokens, not characters or words', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    // One long word is several tokens; a chunk count would say 1.
    expect(countTokens('antidisestablishmentarianism')).toBeGreaterThan(1);
    expect(countTokens('hello world', 'cl100k_base')).toBe(2);
  });

  it('counts a chat prompt from its text contents', () => {
    const messages = [
      { content: 'be brief' },
      {
        content: [
          { type: 'text', text: 'hello' },
          { type: 'image_url', image_url: { url: 'x' } },
        ],
      },
    ];
    expect(promptText(messages)).toBe('be brief\nhello');
    expect(countPromptTokens(messages)).toBe(countTokens('be brief\nhello'));
  });
});
