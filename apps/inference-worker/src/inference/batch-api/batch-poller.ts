import { Topics, type LlmResultV1, type UsageV1 } from '@llm/contracts';
import type { EventPublisher } from '@llm/kafka';
import { answeredResult, unansweredResult, usageEvent, type ResultPublisher } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { callCostMicros, countTokens } from '@llm/tokens';
import type { BatchEntry, CallOutbox } from '../outbox/call-outbox';
import type { ProviderRegistry } from '../providers/provider-registry';
import { batchLine, customId, parseOutputLines, type LineOutcome } from './batch-lines';
import type { BatchSubmissionsRepository, Submission } from './batch-submissions.repository';
import { submitToProvider } from './batch-submitter';

export interface BatchPollerSettings {
  /** A submission with no provider batch id after this long was cut off by a crash: recover it. */
  recoverAfterMs: number;
  lockMs: number;
}

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/**
 * Polls open provider batches and finishes their requests exactly like realtime results: each line's usage is
 * stored with its result in the outbox first (a request already finished is skipped, so a second poll or a
 * second worker never charges twice), charged at the deployment's batch price, then published.
 */
export class BatchPoller {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly outbox: CallOutbox,
    private readonly submissions: BatchSubmissionsRepository,
    private readonly events: EventPublisher,
    private readonly results: Pick<ResultPublisher, 'publish'>,
    private readonly settings: BatchPollerSettings,
    private readonly logger: Logger,
  ) {}

  /** One pass over every open submission; returns how many were finished. */
  async pollOnce(): Promise<number> {
    let finished = 0;
    for (const id of await this.submissions.openIds()) {
      const unlock = await this.submissions.lock(id, this.settings.lockMs);
      if (!unlock) continue;
      try {
        if (await this.poll(id)) finished++;
      } catch (err) {
        this.logger.warn({ err, submission_id: id }, 'batch poll failed; next pass retries');
      } finally {
        await unlock();
      }
    }
    return finished;
  }

  private async poll(id: string): Promise<boolean> {
    const submission = await this.submissions.get(id);
    if (!submission) {
      await this.submissions.close(id);
      return false;
    }
    const batchId = submission.batch_id ?? (await this.recover(submission));
    if (!batchId) return false;
    const client = this.registry.client(submission.provider);
    const batch = await client.batches.retrieve(batchId);
    if (!TERMINAL.has(batch.status)) return false;
    const text = async (fileId: string | null | undefined) => (fileId ? (await client.files.content(fileId)).text() : '');
    const outcomes = parseOutputLines(`${await text(batch.output_file_id)}\n${await text(batch.error_file_id)}`);
    for (const line of submission.lines) {
      const stored = await this.outbox.load(line.tenant_id, line.request_id);
      if (stored.result) {
        // Finished already (an earlier pass died before closing the submission): publish again, never recharge.
        await this.publish(stored.usages, stored.result);
        continue;
      }
      if (!stored.batch || stored.batch.call_id !== line.call_id) continue;
      const outcome: LineOutcome = outcomes.get(customId(line, line.call_id)) ?? {
        ok: false,
        status: null,
        message: `the provider's batch ended ${batch.status} without an answer for this request`,
      };
      await this.finish(stored.batch, outcome, [...stored.usages]);
    }
    await this.submissions.close(id);
    return true;
  }

  /**
   * A submission without a provider batch id: the worker died between recording it and hearing back. Adopt the
   * provider's batch tagged with its id, or (past recoverAfterMs, none found) submit it now.
   */
  private async recover(submission: Submission): Promise<string | undefined> {
    const client = this.registry.client(submission.provider);
    for await (const b of client.batches.list({ limit: 100 })) {
      if (b.metadata?.['submission_id'] === submission.submission_id) {
        await this.submissions.setBatchId(submission.submission_id, b.id);
        return b.id;
      }
      if (b.created_at * 1000 < submission.created_at - 60_000) break;
    }
    if (Date.now() - submission.created_at < this.settings.recoverAfterMs) return undefined;
    const entries: BatchEntry[] = [];
    for (const line of submission.lines) {
      const stored = await this.outbox.load(line.tenant_id, line.request_id);
      if (stored.batch && !stored.result) entries.push(stored.batch);
    }
    if (entries.length === 0) {
      await this.submissions.close(submission.submission_id);
      return undefined;
    }
    this.logger.warn({ submission_id: submission.submission_id, requests: entries.length }, 'recovering a batch submission cut off before the provider accepted it');
    return submitToProvider(this.registry, submission, entries.map((e) => batchLine(e.request, e.target, e.call_id)).join('\n'), this.submissions);
  }

  private async finish(entry: BatchEntry, outcome: LineOutcome, prior: UsageV1[]): Promise<void> {
    const { request, target, call_id } = entry;
    const attempt = 1;
    if (outcome.ok) {
      const u = outcome.completion.usage;
      const tokensIn = u?.prompt_tokens ?? 0;
      const tokensOut = u?.completion_tokens ?? countTokens(outcome.completion.choices.map((c) => c.message.content ?? '').join(''));
      const usage = usageEvent(request, {
        call_id,
        attempt,
        model: target.model,
        provider: target.provider,
        deployment: target.deployment,
        source: 'model',
        status: 'succeeded',
        tokens_in: tokensIn,
        tokens_cached_in: 0,
        tokens_out: tokensOut,
        tokens_estimated: u === undefined,
        cost_micros: callCostMicros(
          { tokensIn, cachedIn: 0, tokensOut },
          { inPerMtok: target.price_batch_in_micros_per_mtok!, outPerMtok: target.price_batch_out_micros_per_mtok! },
        ),
        latency_ms: Math.max(0, Date.now() - Date.parse(request.created_at)),
        batch: true,
      });
      const charged = [...prior, usage];
      const result = answeredResult(request, {
        source: 'model',
        model: target.model,
        provider: target.provider,
        response: outcome.completion,
        usage: u ?? { prompt_tokens: tokensIn, completion_tokens: tokensOut, total_tokens: tokensIn + tokensOut },
        cost_micros: charged.reduce((s, x) => s + x.cost_micros, 0),
        attempt,
        cache_key: request.cache_key,
        fallback_used: false,
      });
      await this.outbox.saveResult(result, [usage]);
      return this.publish(charged, result);
    }
    const result = unansweredResult(request, {
      status: 'failed',
      error: { code: 'BATCH_CALL_FAILED', message: `provider batch: ${outcome.message}`, retryable: outcome.status === null || outcome.status === 429 || outcome.status >= 500 },
      attempt,
      cache_key: request.cache_key,
      cost_micros: prior.reduce((s, x) => s + x.cost_micros, 0),
      model: target.model,
      provider: target.provider,
    });
    await this.outbox.saveResult(result);
    await this.publish(prior, result);
  }

  private async publish(usages: readonly UsageV1[], result: LlmResultV1): Promise<void> {
    const usagesSent = Promise.all(usages.map((usage) => this.events.publish(Topics.usage, usage)));
    await Promise.all([
      usagesSent,
      this.results.publish(
        result,
        usagesSent.then(() => undefined),
      ),
    ]);
  }
}
