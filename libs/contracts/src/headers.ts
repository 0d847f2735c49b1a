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
  /** Inbound events: `v1=<hex HMAC-SHA256 of the message value>` with the tenant's signing secret (docs/inbound-signing.md). */
  signature: 'x-signature',
  /** Inbound events: which of the tenant's signing secrets signed (optional; all active ones are tried without it). */
  signatureKeyId: 'x-signature-key-id',
  /** Inbound events: the upstream's correlation id, echoed on its reply topic. */
  correlationId: 'x-correlation-id',
  /**
   * Results: the service that finished the request already recorded its outcome at ingress (status, in-flight
   * slot), so ingress's results consumer may skip it unread. Only ingress's exact-cache fast path sets it.
   */
  outcomeRecordedBy: 'x-outcome-recorded-by',
  dlqReason: 'x-dlq-reason',
  dlqErrorCode: 'x-dlq-error-code',
  dlqOriginalTopic: 'x-dlq-original-topic',
  dlqOriginalPartition: 'x-dlq-original-partition',
  dlqOriginalOffset: 'x-dlq-original-offset',
  dlqFailedAt: 'x-dlq-failed-at',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];
