import type { AlertV1 } from '@llm/contracts';

export interface AlertThresholds {
  /** Hourly spend above this percentage of the 7-day hourly average raises a spike (200 = 2x). */
  spikeFactorPct: number;
  expensiveRequestMicros: bigint;
  budgetThresholdsPct: number[];
}

export const DEFAULT_THRESHOLDS: AlertThresholds = { spikeFactorPct: 200, expensiveRequestMicros: 500_000n, budgetThresholdsPct: [80, 100] };

export interface AlertCandidate {
  tenantId: string;
  kind: AlertV1['kind'];
  severity: AlertV1['severity'];
  /** One alert per (tenant, kind, window): the same condition seen again in its window is not raised again. */
  windowKey: string;
  message: string;
  valueMicros: bigint;
  thresholdMicros: bigint;
}

/** A single call costing more than the tenant's threshold; deduplicated per request. */
export function expensiveRequest(tenantId: string, requestId: string, costMicros: bigint, t: AlertThresholds): AlertCandidate | undefined {
  if (costMicros <= t.expensiveRequestMicros) return undefined;
  return {
    tenantId,
    kind: 'expensive_request',
    severity: 'warning',
    windowKey: `request:${requestId}`,
    message: `request ${requestId} cost ${costMicros} micro-dollars (threshold ${t.expensiveRequestMicros})`,
    valueMicros: costMicros,
    thresholdMicros: t.expensiveRequestMicros,
  };
}

/** This hour's spend above factor x the average hourly spend of the 7 days before; no history, no spike. */
export function hourlySpike(tenantId: string, hour: Date, hourMicros: bigint, weekMicros: bigint, t: AlertThresholds): AlertCandidate | undefined {
  if (weekMicros <= 0n) return undefined;
  // hour > pct/100 * week/168, in integers: hour * 100 * 168 > pct * week.
  const threshold = (weekMicros * BigInt(t.spikeFactorPct)) / (100n * 168n);
  if (hourMicros * 100n * 168n <= weekMicros * BigInt(t.spikeFactorPct)) return undefined;
  return {
    tenantId,
    kind: 'hourly_spend_spike',
    severity: 'warning',
    windowKey: `hour:${hour.toISOString()}`,
    message: `spend in the hour from ${hour.toISOString()} is ${hourMicros} micro-dollars, above ${t.spikeFactorPct}% of the 7-day hourly average`,
    valueMicros: hourMicros,
    thresholdMicros: threshold,
  };
}

/** Each daily-budget threshold crossed today (80% warning, 100% critical by default); one alert per threshold per day. */
export function dailyBudget(tenantId: string, day: string, spentMicros: bigint, limitMicros: bigint, t: AlertThresholds): AlertCandidate[] {
  if (limitMicros <= 0n) return [];
  return t.budgetThresholdsPct
    .filter((pct) => spentMicros * 100n >= limitMicros * BigInt(pct))
    .map((pct) => ({
      tenantId,
      kind: 'daily_budget_threshold' as const,
      severity: pct >= 100 ? ('critical' as const) : ('warning' as const),
      windowKey: `day:${day}:${pct}`,
      message: `daily spend ${spentMicros} micro-dollars reached ${pct}% of the budget ${limitMicros}`,
      valueMicros: spentMicros,
      thresholdMicros: (limitMicros * BigInt(pct)) / 100n,
    }));
}
