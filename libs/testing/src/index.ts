export { checkInfrastructure, createTopics, quietLogger, testInfra, uniquePrefix, waitFor } from './infra';
