import { AnswerJudges, lastUserText } from './answer-judges';

describe('AnswerJudges', () => {
  const judges = new AnswerJudges();
  const context = [{ id: 'c1', text: 'Paris is the capital and the largest city of France.' }];

  it('grounds and checks refusal for a RAG answer', () => {
    const names = judges.run({ question: 'What is the capital of France?', answer: 'Paris is the capital of France [1].', context, rag: true }).map((v) => [v.judge, v.passed]);
    expect(names).toEqual([
      ['refusal', true],
      ['grounding_lexical', true],
    ]);
  });

  it('does not ground a refusal', () => {
    const verdicts = judges.run({ question: 'Who won the 1998 chess olympiad?', answer: 'I cannot answer from the provided context.', context, rag: true });
    expect(verdicts.map((v) => v.judge)).toEqual(['refusal']);
  });

  it('checks JSON validity and schema when JSON was asked for, and nothing else without context', () => {
    const verdicts = judges.run({
      question: 'q',
      answer: '{"answer":"x"}',
      context: [],
      rag: false,
      responseFormat: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object', required: ['answer'] } } },
    });
    expect(verdicts.map((v) => [v.judge, v.passed])).toEqual([
      ['json_validity', true],
      ['json_schema', true],
    ]);
  });

  it('reads the last user message, text parts included', () => {
    expect(
      lastUserText([
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ]),
    ).toBe('second');
  });
});
