import type { UsageV1 } from '@llm/contracts';

export type FallbackStep = NonNullable<UsageV1['fallback_step']>;
import { hashUserId } from '@llm/telemetry';

/** One provider call's usage as the ledger stores it. Money stays bigint micro-dollars. */
export interface UsageRow {
  tenantId: string;
  requestId: string;
  callId: string;
  attempt: number;
  userHash: string | null;
  feature: string | null;
  model: string;
  deployment: string | null;
  provider: string;
  source: 'model' | 'cache' | 'batch';
  status: string;
  tokensIn: number;
  tokensCachedIn: number;
  tokensOut: number;
  tokensEstimated: boolean;
  costMicros: bigint;
  savedMicros: bigint;
  latencyMs: number;
  retries: number;
  fallback: boolean;
  /** The route plan step that served the call; null when the producer did not say. */
  fallbackStep: FallbackStep | null;
  occurredAt: Date;
}

export const usageKey = (r: Pick<UsageRow, 'tenantId' | 'requestId' | 'callId'>): string => `${r.tenantId}\u0000${r.requestId.toLowerCase()}\u0000${r.callId}`;

export function toUsageRow(u: UsageV1): UsageRow {
  return {
    tenantId: u.tenant_id,
    requestId: u.request_id,
    callId: u.call_id,
    attempt: u.attempt,
    userHash: hashUserId(u.user_id) ?? null,
    feature: u.feature ?? null,
    model: u.model,
    deployment: u.deployment ?? null,
    provider: u.provider,
    source: u.batch && u.source === 'model' ? 'batch' : u.source,
    status: u.status,
    tokensIn: u.tokens_in,
    tokensCachedIn: u.tokens_cached_in,
    tokensOut: u.tokens_out,
    tokensEstimated: u.tokens_estimated,
    costMicros: BigInt(u.cost_micros),
    savedMicros: BigInt(u.saved_micros ?? 0),
    latencyMs: u.latency_ms,
    retries: u.retries ?? 0,
    // A step other than primary is a fallback even when the producer left the flag out.
    fallback: u.fallback ?? (u.fallback_step !== undefined && u.fallback_step !== 'primary'),
    fallbackStep: u.fallback_step ?? null,
    occurredAt: new Date(u.occurred_at),
  };
}
