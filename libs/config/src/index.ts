export { ConfigError, clearConfigCache, inheritedEnvironment, loadConfig, parseConfig, type EnvSource } from './load-config';
export { issueLines, summarizeIssues, type ValidationIssue } from './format-issues';
export { bool, csv, nonNegativeInt, port, positiveInt, url } from './fields';
export {
  adminSchema,
  DEV_ADMIN_TOKEN,
  DEV_KAFKA_RETRY_SECRET,
  KAFKA_TIMING_DEFAULTS,
  refuseDevAdminTokenInProduction,
  databaseSchema,
  embeddingsSchema,
  vectorStoreSchema,
  type EmbeddingsConfig,
  type VectorStoreConfig,
  httpPort,
  kafkaSchema,
  redisSchema,
  serviceSchema,
  type DatabaseConfig,
  type KafkaConfig,
  type RedisConfig,
  type ServiceConfig,
} from './shared.config';
