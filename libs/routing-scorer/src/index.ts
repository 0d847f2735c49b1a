export { DENSE_FEATURES, FEATURE_VERSION, denseFeatures, fnv1a, hashedFeatures, tokenize, type SparseVector } from './features';
export { predict, sigmoid, trainLogistic, type LogisticModel, type TrainOptions } from './logistic';
export { ComplexityScorer, scorerModelSchema, vectorize, type ScorerModel } from './scorer-model';
export { escalationDecision, meanTokenLogprob, type EscalationDecision, type TokenLogprobs } from './escalation';
