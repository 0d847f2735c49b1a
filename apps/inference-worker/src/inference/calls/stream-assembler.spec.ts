import type { ChatCompletionChunk } from '../providers/provider-response.schema';
import { StreamAssembler } from './stream-assembler';

const chunk = (choice: Partial<ChatCompletionChunk['choices'][number]>, extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  id: 'c-1',
  created: 7,
  model: 'm',
  choices: [{ index: 0, delta: {}, ...choice }],
  ...extra,
});
const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
const logprob = (token: string) => ({ token, logprob: -0.5, bytes: null, top_logprobs: [] });

describe('StreamAssembler', () => {
  it('rebuilds tool calls from their deltas with the finish_reason the provider sent', () => {
    const a = new StreamAssembler();
    a.add(chunk({ delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_', arguments: '' } }] } }));
    a.add(chunk({ delta: { tool_calls: [{ index: 0, function: { name: 'weather', arguments: '{"city":' } }] } }));
    a.add(
      chunk({
        delta: {
          tool_calls: [
            { index: 0, function: { arguments: '"Oslo"}' } },
            { index: 1, id: 'call_2', function: { name: 'now', arguments: '{}' } },
          ],
        },
      }),
    );
    a.add(chunk({ finish_reason: 'tool_calls' }));
    expect(a.complete).toBe(true);
    const message = a.completion('m', usage).choices[0]!;
    expect(message.finish_reason).toBe('tool_calls');
    expect(message.message.content).toBeNull();
    expect(message.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      { id: 'call_2', type: 'function', function: { name: 'now', arguments: '{}' } },
    ]);
  });

  it('keeps logprobs, refusal and a length finish, and returns the content a caller is streamed', () => {
    const a = new StreamAssembler();
    expect(a.add(chunk({ delta: { content: 'Hel' }, logprobs: { content: [logprob('Hel')] } }))).toBe('Hel');
    expect(a.add(chunk({ delta: { content: 'lo', refusal: 'no' }, logprobs: { content: [logprob('lo')] } }))).toBe('lo');
    a.add(chunk({ finish_reason: 'length' }));
    a.add({ id: 'c-1', created: 7, model: 'm', choices: [], usage });
    const choice = a.completion('m', a.usage!).choices[0]!;
    expect(choice).toMatchObject({ finish_reason: 'length', message: { content: 'Hello', refusal: 'no' } });
    expect(choice.logprobs!.content!.map((l) => l.token)).toEqual(['Hel', 'lo']);
    expect(a.generatedText()).toBe('Hellono');
  });

  it('is incomplete without a finish_reason (a cut stream is never a stop answer)', () => {
    const a = new StreamAssembler();
    a.add(chunk({ delta: { content: 'half an ans' } }));
    expect(a.complete).toBe(false);
  });
});
