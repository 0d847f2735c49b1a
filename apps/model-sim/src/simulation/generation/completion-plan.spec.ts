import Ajv2020 from 'ajv/dist/2020';
import type { ChatRequest } from '../request/chat-request.schema';
import { applyLimits, planChoices, type PlanInput } from './completion-plan';

const input = (body: Partial<ChatRequest>, extra: Partial<PlanInput> = {}): PlanInput => ({
  body: { messages: [{ role: 'user', content: 'hi' }], ...body } as ChatRequest,
  model: 'sim-small',
  prompt: 'hi',
  format: { kind: 'text' },
  maxTokens: 100,
  ...extra,
});

describe('applyLimits', () => {
  const tokens = ['one', ' two', ' STOP', ' three'];

  it('cuts the text before the earliest stop string, reports it, and finishes with stop', () => {
    expect(applyLimits(tokens, ['three', 'STOP'], 10)).toEqual({ tokens: ['one', ' two', ' '], finishReason: 'stop', stopReason: 'STOP' });
    expect(applyLimits(tokens, ['wo S'], 10)).toEqual({ tokens: ['one', ' t'], finishReason: 'stop', stopReason: 'wo S' });
  });

  it('lets max_tokens win when it comes before the token that completes the stop string', () => {
    expect(applyLimits(tokens, ['STOP'], 2)).toEqual({ tokens: ['one', ' two'], finishReason: 'length', stopReason: null });
    expect(applyLimits(tokens, ['STOP'], 3).finishReason).toBe('stop');
  });

  it('finishes with stop and the whole text when nothing limits it', () => {
    expect(applyLimits(tokens, ['absent', ''], 4)).toEqual({ tokens, finishReason: 'stop', stopReason: null });
  });
});

describe('planChoices', () => {
  it('plans n different choices, the first one the same as a single answer', () => {
    const three = planChoices(input({ n: 3, seed: 4 }));
    expect(three.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(new Set(three.map((c) => c.tokens.join(''))).size).toBe(3);
    expect(planChoices(input({ seed: 4 }))[0]).toEqual(three[0]);
  });

  it('answers a json_schema request with JSON that validates against the schema, in several pieces', () => {
    const schema = {
      type: 'object',
      required: ['city', 'days'],
      additionalProperties: false,
      properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
    };
    const [choice] = planChoices(input({}, { format: { kind: 'json_schema', schema } }));
    expect(choice!.tokens.length).toBeGreaterThan(3);
    expect(new Ajv2020().validate(schema, JSON.parse(choice!.tokens.join('')))).toBe(true);
  });

  it('calls the named tool with arguments valid for its parameters, and the first tool when one is required', () => {
    const parameters = { type: 'object', required: ['q', 'limit'], properties: { q: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 5 } } };
    const tools = [
      { type: 'function' as const, function: { name: 'search', parameters } },
      { type: 'function' as const, function: { name: 'noop' } },
    ];
    const [named] = planChoices(input({ tools, tool_choice: { type: 'function', function: { name: 'search' } } }));
    expect(named).toMatchObject({ tokens: [], finishReason: 'stop', toolCall: { name: 'search' } });
    expect(new Ajv2020().validate(parameters, JSON.parse(named!.toolCall!.argumentTokens.join('')))).toBe(true);
    const [required] = planChoices(input({ tools, tool_choice: 'required' }));
    expect(required).toMatchObject({ finishReason: 'tool_calls', toolCall: { name: 'search' } });
    expect(planChoices(input({ tools, tool_choice: 'auto' }))[0]!.toolCall).toBeUndefined();
  });
});
