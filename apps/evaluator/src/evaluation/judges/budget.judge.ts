import type { JudgeVerdict } from './judge.types';

/**
 * Latency and cost as scores: 1 at or under the target, falling as target/actual above it, so a report can
 * average them like quality scores. Targets are settings (EVAL_LATENCY_TARGET_MS, EVAL_COST_TARGET_MICROS).
 */
export function latencyVerdict(latencyMs: number, targetMs: number): JudgeVerdict {
  return verdict('latency', latencyMs, targetMs, `${latencyMs} ms against a target of ${targetMs} ms`);
}

export function costVerdict(costMicros: number, targetMicros: number): JudgeVerdict {
  return verdict('cost', costMicros, targetMicros, `${costMicros} micro-dollars against a target of ${targetMicros}`);
}

function verdict(judge: string, actual: number, target: number, details: string): JudgeVerdict {
  const score = actual <= target ? 1 : Math.round((target / actual) * 1000) / 1000;
  return { judge, score, passed: actual <= target, details };
}
