import { isArithmeticWordProblem } from './cascade.policy';

describe('the prompt kind the answer-check covers', () => {
  it.each([
    'A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?',
    'Josh buys a house for $80,000 and puts in $50,000 in repairs. This increased the value of the house by 150%. How much profit did he make?',
    'The vertices of a triangle are at points (0, 0), (-1, 1), and (3, 3). What is the area of the triangle?',
  ])('covers %s', (text) => expect(isArithmeticWordProblem(text)).toBe(true));

  it.each([
    'How many moons does Jupiter have?',
    'Tell me about the 3 largest cities in Norway.',
    'Which is larger?\nA) 3\nB) 4\nC) 5\nD) 6',
    'How many items does this return?\n```js\n[1, 2, 3].map((x) => x * 2)\n```',
  ])('does not cover %s', (text) => expect(isArithmeticWordProblem(text)).toBe(false));
});
