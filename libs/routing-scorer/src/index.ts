export { DENSE_FEATURES, FEATURE_VERSION, denseFeatures, fnv1a, hashedFeatures, isMultipleChoice, tokenize, type SparseVector } from './features';
export { predict, sigmoid, trainLogistic, type LogisticModel, type TrainOptions } from './logistic';
export { ComplexityScorer, scorerModelSchema, vectorize, type ScorerModel } from './scorer-model';
export { escalationDecision, meanTokenLogprob, type EscalationDecision, type TokenLogprobs } from './escalation';
export {
  ANSWER_CHECK_FEATURES,
  ANSWER_PAIR_FEATURES,
  ANSWER_CHECK_INPUTS,
  ANSWER_CHECK_VERSION,
  AnswerCheck,
  answerCheckFeatures,
  answerCheckInputs,
  answerCheckModelSchema,
  answerPairFeatures,
  checkComputations,
  evaluateArithmetic,
  finalNumber,
  type AnswerCheckModel,
} from './answer-check';
