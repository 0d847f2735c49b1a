export { checkInfrastructure, createTopics, quietLogger, testInfra, uniquePrefix, waitFor } from './infra';
export { chatCompletion, llmRequest, llmResult } from './fixtures';
