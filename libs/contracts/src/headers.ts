/** Kafka header names (DESIGN.md, libs/contracts). Values are UTF-8 strings. */
export const Headers = {
  requestId: 'x-request-id',
  tenantId: 'x-tenant-id',
  attempt: 'x-attempt',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  priority: 'x-priority',
  /** Earliest time (epoch ms) a retried message may be processed again. */
  retryAt: 'x-retry-at',
  dlqReason: 'x-dlq-reason',
  dlqErrorCode: 'x-dlq-error-code',
  dlqOriginalTopic: 'x-dlq-original-topic',
  dlqOriginalPartition: 'x-dlq-original-partition',
  dlqOriginalOffset: 'x-dlq-original-offset',
  dlqFailedAt: 'x-dlq-failed-at',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];
