export { REDACT_PATHS, createLogger, hashUserId, requestLogFields, type Logger, type LoggerOptions, type RequestLogFields } from './logger';
export { LATENCY_BUCKETS_S, MetricsRegistry } from './metrics';
export { extractTraceContext, initTracing, injectTraceHeaders, withSpan } from './tracing';
export { HealthRegistry, type HealthCheck, type HealthReport } from './health';
