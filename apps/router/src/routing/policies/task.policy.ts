import type { RouteRequestV1 } from '@llm/contracts';
import type { PolicySettings, TaskType } from './routing-policy.schema';

export interface TaskDecision {
  task: TaskType;
  /** `feature:<name>` when the request's feature named it, else the classifier rule that matched. */
  rule: string;
}

// A cheap classifier: ordered rules on the last user message, first match wins. Regexes, not a model: this runs
// on every request, and a wrong guess only picks a tier the complexity scorer would otherwise have picked.
const RULES: readonly { task: TaskType; rule: string; test: (text: string, r: RouteRequestV1) => boolean }[] = [
  { task: 'rag_answer', rule: 'retrieved-context', test: (_, r) => r.context.length > 0 || r.rag !== undefined },
  {
    task: 'code',
    rule: 'code-markers',
    test: (t) => /```|\b(implement|refactor|stack ?trace|unit tests?|regex|sql query|typescript|javascript|python|golang|rust code|compile error)\b/i.test(t),
  },
  { task: 'classification', rule: 'classify-words', test: (t) => /\b(classify|categori[sz]e|which category|sentiment of|label (this|the|each))\b/i.test(t) },
  { task: 'intent', rule: 'intent-words', test: (t) => /\b(intent|what does the (user|customer) want)\b/i.test(t) },
  {
    task: 'extraction',
    rule: 'extract-words',
    test: (t, r) => /\b(extract|pull out|parse out)\b/i.test(t) || (r.body.response_format?.type !== undefined && r.body.response_format.type !== 'text' && /\bfields?\b/i.test(t)),
  },
  { task: 'reasoning', rule: 'reasoning-words', test: (t) => /\b(prove|proof|derive|step[- ]by[- ]step|reason (about|through)|explain why)\b/i.test(t) },
];

const SUMMARY = /\b(summari[sz]e|summary|tl;?dr)\b/i;

export function classifyTask(request: RouteRequestV1, text: string, promptTokens: number, settings: PolicySettings['tasks']): TaskDecision {
  const feature = request.feature;
  if (feature !== undefined && Object.hasOwn(settings.features, feature)) return { task: settings.features[feature]!, rule: `feature:${feature}` };
  if (SUMMARY.test(text) && promptTokens >= settings.long_summary_tokens) return { task: 'summary_long', rule: `summary>=${settings.long_summary_tokens}tok` };
  const hit = RULES.find((r) => r.test(text, request));
  return hit ? { task: hit.task, rule: `classifier:${hit.rule}` } : { task: 'general', rule: 'classifier:none' };
}
