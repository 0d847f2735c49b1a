import { RefusalJudge } from './refusal.judge';

const context = [{ id: 'c1', text: 'Paris is the capital and the largest city of France.' }];

describe('RefusalJudge', () => {
  const judge = new RefusalJudge(0.3);

  it('expects a refusal when no chunk supports an answer, and passes one', () => {
    expect(judge.judge({ question: 'Who won the 1998 chess olympiad?', answer: 'I cannot answer from the provided context.', context })).toMatchObject({ passed: true, score: 1 });
    expect(judge.judge({ question: 'Who won the 1998 chess olympiad?', answer: 'Russia won it.', context })).toMatchObject({
      passed: false,
      details: 'answered although no retrieved chunk supports an answer',
    });
    expect(judge.judge({ question: 'Anything at all?', answer: 'No information is available.', context: [] }).passed).toBe(true);
  });

  it('expects an answer when the context supports one, and fails a needless refusal', () => {
    expect(judge.judge({ question: 'What is the capital of France?', answer: 'Paris [1].', context }).passed).toBe(true);
    expect(judge.judge({ question: 'What is the capital of France?', answer: "I don't know.", context })).toMatchObject({
      passed: false,
      details: 'declined although the context supports an answer',
    });
  });

  it('counts the message refusal field as a refusal', () => {
    expect(judge.judge({ question: 'Who won the 1998 chess olympiad?', answer: null, refusal: 'Declined by policy', context }).passed).toBe(true);
  });
});
