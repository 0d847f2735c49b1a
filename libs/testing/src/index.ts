export { checkInfrastructure, committedOffset, createTopics, freshDatabase, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from './infra';
export { chatCompletion, llmRequest, llmResult } from './fixtures';
export { pythonToolsVenv, runSchemathesis, type SchemathesisRun } from './schemathesis';
