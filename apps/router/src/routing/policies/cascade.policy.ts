import { isMultipleChoice } from '@llm/routing-scorer';

/** A question asking for a quantity: what GSM8K's problems end with ("How much in dollars does she make...?"). */
const QUANTITY_QUESTION =
  /\b(how (many|much|long|old|far|fast|often|tall|heavy)|what (is|was|will be|would be) the (total|cost|price|sum|difference|average|amount|number|area|perimeter|value|combined|profit)|what percent(age)?)\b/i;

/**
 * The prompt kind the answer-check was trained on: an arithmetic word problem (numbers in the text, a question for
 * a quantity), not a multiple-choice question and not code. A regex, not a model: it runs on every request, and a
 * miss only routes the request as if the cascade were off.
 */
export function isArithmeticWordProblem(text: string): boolean {
  if (text.length > 4_000 || text.includes('```') || isMultipleChoice(text)) return false;
  return /\d/.test(text) && QUANTITY_QUESTION.test(text);
}
