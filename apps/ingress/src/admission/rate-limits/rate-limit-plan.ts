import type { LimitScope, ScopeLimits } from '../plans/plan.schema';

export type LimitKind = 'requests' | 'tokens';
export type LimitWindow = 'minute' | 'day';

export interface LimitCheck {
  kind: LimitKind;
  scope: LimitScope;
  window: LimitWindow;
  limit: number;
  /** The counter's subject, tenant-scoped (a key id, the tenant, `tenant:model`, `tenant:user`). */
  subject: string;
  points: number;
}

export interface LimitSubject {
  tenantId: string;
  apiKeyId: string;
  model: string;
  userId?: string;
}

const WINDOWS: ReadonlyArray<{ window: LimitWindow; requests: keyof ScopeLimits; tokens: keyof ScopeLimits }> = [
  { window: 'minute', requests: 'requests_per_minute', tokens: 'tokens_per_minute' },
  { window: 'day', requests: 'requests_per_day', tokens: 'tokens_per_day' },
];

export const WINDOW_SECONDS: Record<LimitWindow, number> = { minute: 60, day: 86_400 };

/** Every counter one request consumes: each configured limit of each scope that applies to it. */
export function limitChecks(limits: Record<LimitScope, ScopeLimits>, subject: LimitSubject, promptTokens: number): LimitCheck[] {
  const subjects: Array<[LimitScope, string | undefined]> = [
    ['key', `${subject.tenantId}:${subject.apiKeyId}`],
    ['tenant', subject.tenantId],
    ['model', `${subject.tenantId}:${subject.model}`],
    ['user', subject.userId === undefined ? undefined : `${subject.tenantId}:${subject.userId}`],
  ];
  const checks: LimitCheck[] = [];
  for (const [scope, id] of subjects) {
    if (id === undefined) continue;
    for (const w of WINDOWS) {
      const requests = limits[scope][w.requests];
      if (requests !== undefined) checks.push({ kind: 'requests', scope, window: w.window, limit: requests, subject: id, points: 1 });
      const tokens = limits[scope][w.tokens];
      if (tokens !== undefined) checks.push({ kind: 'tokens', scope, window: w.window, limit: tokens, subject: id, points: promptTokens });
    }
  }
  return checks;
}

export interface CheckOutcome {
  check: LimitCheck;
  remaining: number;
  resetMs: number;
  refused: boolean;
}

/** OpenAI's duration format for reset headers: `1s`, `6m0s`, `1h2m3s`. */
export function resetDuration(ms: number): string {
  const total = Math.max(1, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * The `x-ratelimit-*` headers: per kind, the counter closest to refusing (least remaining) speaks for it, as
 * OpenAI reports the binding limit.
 */
export function rateLimitHeaders(outcomes: readonly CheckOutcome[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const mine = outcomes.filter((o) => o.check.kind === kind);
    if (mine.length === 0) continue;
    const binding = mine.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetMs > a.resetMs) ? b : a));
    headers[`x-ratelimit-limit-${kind}`] = String(binding.check.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(binding.remaining);
    headers[`x-ratelimit-reset-${kind}`] = resetDuration(binding.resetMs);
  }
  return headers;
}
