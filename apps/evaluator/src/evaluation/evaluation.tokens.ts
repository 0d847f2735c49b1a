/** DI tokens of the evaluation feature. */
export const SAMPLER = Symbol('SAMPLER');
export const ANSWER_JUDGES = Symbol('ANSWER_JUDGES');
export const PG_POOL = Symbol('EVALUATOR_PG_POOL');
