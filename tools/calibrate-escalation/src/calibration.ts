/** Quantiles of the mean token logprobs a deployment gave on sample prompts. */
export function quantiles(values: readonly number[], qs: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  return Object.fromEntries(qs.map((q) => [`p${Math.round(q * 100)}`, sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!]));
}

/**
 * The threshold that escalates about `share` of the answers: the least confident ones (mean token logprob below
 * it). Calibrating by share bounds what escalation costs on this deployment (that share of requests pays a second
 * call) whatever its logprob scale; undefined without samples.
 */
export function thresholdForShare(means: readonly number[], share: number): number | undefined {
  if (means.length === 0) return undefined;
  const sorted = [...means].sort((a, b) => a - b);
  const k = Math.round(share * sorted.length);
  if (k <= 0) return Math.min(0, sorted[0]!);
  if (k >= sorted.length) return 0;
  // Between the k-th least confident answer and the next, so exactly k fall below.
  return Math.min(0, (sorted[k - 1]! + sorted[k]!) / 2);
}
