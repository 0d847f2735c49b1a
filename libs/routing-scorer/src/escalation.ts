/** Per-token logprobs as OpenAI-compatible servers return them (`choices[i].logprobs.content`). */
export interface TokenLogprobs {
  content?: ReadonlyArray<{ logprob: number }> | null;
}

/** Mean log-probability of an answer's tokens; undefined when the provider returned none. */
export function meanTokenLogprob(logprobs: TokenLogprobs | null | undefined): number | undefined {
  const tokens = logprobs?.content ?? [];
  const finite = tokens.filter((t) => Number.isFinite(t.logprob));
  if (finite.length === 0) return undefined;
  return finite.reduce((s, t) => s + t.logprob, 0) / finite.length;
}

export type EscalationDecision =
  { escalate: false; reason: 'no-threshold' | 'confident'; mean_logprob?: number } | { escalate: true; reason: 'low-confidence' | 'no-logprobs'; mean_logprob?: number };

/**
 * What the worker does with a small model's answer whose target carries `escalate_if_mean_logprob_below`: keep
 * it when the mean token logprob reaches the threshold, else call the plan's escalation target. An answer with
 * no logprobs at all (a provider that ignored the request) escalates: its confidence is unknown, and the plan
 * only marks targets whose catalog entry claims logprobs.
 */
export function escalationDecision(threshold: number | undefined, logprobs: TokenLogprobs | null | undefined): EscalationDecision {
  if (threshold === undefined) return { escalate: false, reason: 'no-threshold' };
  const mean = meanTokenLogprob(logprobs);
  if (mean === undefined) return { escalate: true, reason: 'no-logprobs' };
  return mean < threshold ? { escalate: true, reason: 'low-confidence', mean_logprob: mean } : { escalate: false, reason: 'confident', mean_logprob: mean };
}
