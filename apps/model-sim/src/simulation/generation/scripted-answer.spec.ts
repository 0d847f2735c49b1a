import { scriptedPrompt } from './scripted-answer';

describe('per-model scripted answers', () => {
  const messages = [
    { role: 'system', content: 'ECHO@sim-small: The answer is 20.5.\nECHO@sim-large: 9 * 2 = 18. The answer is 18.' },
    { role: 'user', content: 'How much does she make?' },
  ];

  it('answers each model its own line, and nothing for a model without one', () => {
    expect(scriptedPrompt(messages, 'sim-small')).toBe('ECHO: The answer is 20.5.');
    expect(scriptedPrompt(messages, 'sim-large')).toBe('ECHO: 9 * 2 = 18. The answer is 18.');
    expect(scriptedPrompt(messages, 'sim-medium')).toBeUndefined();
    expect(scriptedPrompt([{ content: 'ECHO: plain' }], 'sim-small')).toBeUndefined();
  });
});
