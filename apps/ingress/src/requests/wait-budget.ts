/** How long a caller may wait: the sync timeout, but never past the request's deadline. */
export function waitBudget(syncTimeoutMs: number, deadlineAt: string | undefined, now = Date.now()): { timeoutMs: number; expired: () => boolean } {
  const deadline = deadlineAt ? Date.parse(deadlineAt) : Number.POSITIVE_INFINITY;
  return {
    timeoutMs: Math.max(0, Math.min(syncTimeoutMs, deadline - now)),
    expired: () => Date.now() >= deadline,
  };
}
