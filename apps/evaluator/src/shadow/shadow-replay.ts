import { chatRequestBody, type ChatMessage, type ChatRequestBody } from '@llm/contracts';
import type { EvaluationStoreRepository, ReplayableSample } from '../evaluation/evaluation-store.repository';
import { AnswerJudges, lastUserText } from '../evaluation/judges/answer-judges';
import type { JudgeVerdict } from '../evaluation/judges/judge.types';
import { contentTokens } from '../evaluation/judges/text.util';
import type { PlatformClient } from '../offline/platform.client';
import { buildReport, type RunReport, type RunRow } from '../reports/report.model';

export interface ShadowReplayOptions {
  runId: string;
  tenantId: string;
  feature?: string;
  limit: number;
  since?: Date;
  /** Catalog model, route or alias the replays are sent to. */
  candidate: string;
  concurrency: number;
  now?: Date;
}

/**
 * Replays a sample of a tenant's past requests (the evaluator's sampled traffic in Postgres) against a
 * candidate model or route, through the platform's API as the platform's shadow tenant: the answers go back to
 * this replay only, never to the original callers, and the usage is billed to the shadow tenant under the
 * feature `shadow`, never to the replayed tenant's budget. Original and candidate answers are judged alike, and
 * the candidate's agreement with the original answer is scored, side by side with cost and latency.
 */
export class ShadowReplay {
  private readonly judges = new AnswerJudges();

  constructor(
    private readonly store: Pick<EvaluationStoreRepository, 'findReplayable'>,
    private readonly client: PlatformClient,
  ) {}

  async run(options: ShadowReplayOptions): Promise<RunReport> {
    const samples = await this.store.findReplayable(options.tenantId, {
      limit: options.limit,
      ...(options.feature !== undefined ? { feature: options.feature } : {}),
      ...(options.since ? { since: options.since } : {}),
    });
    const rows: RunRow[] = [];
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const sample = samples[next++]!;
        const body = chatRequestBody.safeParse(sample.body);
        if (!body.success) continue;
        rows.push(...(await this.replay(sample, body.data, options.candidate)));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, samples.length)) }, worker));
    const now = options.now ?? new Date();
    return buildReport(
      {
        run_id: options.runId,
        kind: 'shadow',
        title: `Shadow replay of ${options.tenantId}${options.feature ? `/${options.feature}` : ''}: recorded answers vs ${options.candidate}`,
        created_at: now.toISOString(),
      },
      rows.sort((a, b) => a.case_id.localeCompare(b.case_id) || a.variant.localeCompare(b.variant)),
    );
  }

  private async replay(sample: ReplayableSample, body: ChatRequestBody, candidate: string): Promise<RunRow[]> {
    const question = lastUserText(body.messages);
    const judge = (answer: string | null | undefined) =>
      this.judges.run({ question, answer, context: sample.context, rag: sample.rag, ...(body.response_format ? { responseFormat: body.response_format } : {}) });
    const answer = await this.client.complete({ ...body, model: candidate, messages: withContext(body.messages, sample), stream: false }, { feature: 'shadow', priority: 'batch' });
    const agreement: JudgeVerdict = answer.error
      ? { judge: 'agreement', score: 0, passed: false, details: 'no candidate answer' }
      : agreementVerdict(sample.answer ?? '', answer.content ?? '');
    const caseId = sample.requestId;
    const original = row(caseId, 'baseline', sample.model, sample.route, judge(sample.answer), sample.latencyMs, sample.costMicros);
    const replayed = row(caseId, 'candidate', answer.model, candidate, [...judge(answer.content), agreement], answer.latencyMs, answer.costMicros, answer.error);
    return [original, replayed];
  }
}

/**
 * The candidate must see the evidence the original answer had. When the recorded body does not already carry
 * the retrieved chunks (the retriever may send them beside the messages), they are added as a numbered system
 * message, the way answers cite them.
 */
function withContext(messages: ChatMessage[], sample: ReplayableSample): ChatMessage[] {
  if (sample.context.length === 0) return messages;
  const carried = JSON.stringify(messages);
  if (sample.context.every((c) => carried.includes(c.text.slice(0, 80)))) return messages;
  const sources = sample.context.map((c, i) => `[${i + 1}] ${c.text}`).join('\n\n');
  return [{ role: 'system', content: `Sources (cite them like [1]):\n\n${sources}` }, ...messages];
}

/** Token F1 between the candidate's and the original answer: how much of the original the candidate says. */
export function agreementVerdict(original: string, candidate: string): JudgeVerdict {
  const a = contentTokens(original);
  const b = contentTokens(candidate);
  if (a.length === 0 && b.length === 0) return { judge: 'agreement', score: 1, passed: true, details: 'both answers are empty' };
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of b) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      common += 1;
      counts.set(t, n - 1);
    }
  }
  const f1 = common === 0 ? 0 : (2 * common) / (a.length + b.length);
  const score = Math.round(f1 * 1000) / 1000;
  return { judge: 'agreement', score, passed: score >= 0.5, details: `token F1 ${score} against the recorded answer` };
}

function row(caseId: string, variant: string, model: string | null, route: string | null, verdicts: JudgeVerdict[], latencyMs: number, costMicros: number, error?: string): RunRow {
  return {
    case_id: caseId,
    variant,
    model,
    route,
    scores: Object.fromEntries(verdicts.map((v) => [v.judge, { score: v.score, passed: v.passed, details: v.details }])),
    passed: error === undefined && verdicts.every((v) => v.passed),
    latency_ms: latencyMs,
    cost_micros: costMicros,
    ...(error !== undefined ? { error } : {}),
  };
}
