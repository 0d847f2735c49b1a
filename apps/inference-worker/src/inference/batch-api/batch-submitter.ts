import { randomUUID } from 'node:crypto';
import type { InferenceRequestV1, RouteTarget } from '@llm/contracts';
import type { Logger } from '@llm/telemetry';
import { toFile } from 'openai';
import type { CallOutbox } from '../outbox/call-outbox';
import type { ProviderRegistry } from '../providers/provider-registry';
import { batchLine } from './batch-lines';
import type { BatchSubmissionsRepository, Submission } from './batch-submissions.repository';

export interface BatchSubmitterSettings {
  /** How long requests are collected into one provider batch. */
  collectMs: number;
  /** Most requests in one provider batch. */
  maxLines: number;
}

interface Pending {
  request: InferenceRequestV1;
  target: RouteTarget;
  callId: string;
  done: { resolve: () => void; reject: (err: unknown) => void };
}

/**
 * Collects batch-band requests per deployment and submits them as one provider batch (Files + Batch API). A
 * request is durable before the provider is asked: its submission is recorded in Redis and its outbox names the
 * submission, so a redelivery never submits it again and a worker killed mid-submit leaves a submission the
 * poller finishes (finding the provider's batch by the submission id in its metadata, or submitting it).
 */
export class BatchSubmitter {
  private readonly groups = new Map<string, { items: Pending[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly outbox: CallOutbox,
    private readonly submissions: BatchSubmissionsRepository,
    private readonly settings: BatchSubmitterSettings,
    private readonly logger: Logger,
  ) {}

  /** Whether this target goes through its provider's batch API: the provider has one and the deployment a batch price. */
  accepts(target: RouteTarget): boolean {
    if (target.price_batch_in_micros_per_mtok === undefined || target.price_batch_out_micros_per_mtok === undefined) return false;
    try {
      return this.registry.endpoint(target.provider).provider.batch_api === true;
    } catch {
      return false;
    }
  }

  /** Resolves once the request is recorded in a submission (and, unless that failed, submitted to the provider). */
  submit(request: InferenceRequestV1, target: RouteTarget, callId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const key = `${target.provider}\u0000${target.deployment}`;
      let group = this.groups.get(key);
      if (!group) {
        group = { items: [], timer: setTimeout(() => void this.flush(key), this.settings.collectMs) };
        this.groups.set(key, group);
      }
      group.items.push({ request, target, callId, done: { resolve, reject } });
      if (group.items.length >= this.settings.maxLines) void this.flush(key);
    });
  }

  /** Submits what is collected now (shutdown). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.groups.keys()].map((k) => this.flush(k)));
  }

  private async flush(key: string): Promise<void> {
    const group = this.groups.get(key);
    if (!group) return;
    this.groups.delete(key);
    clearTimeout(group.timer);
    const { items } = group;
    const first = items[0]!;
    const submission: Submission = {
      submission_id: randomUUID(),
      provider: first.target.provider,
      deployment: first.target.deployment,
      created_at: Date.now(),
      lines: items.map((p) => ({ tenant_id: p.request.tenant_id, request_id: p.request.request_id, call_id: p.callId })),
    };
    try {
      await this.submissions.open(submission);
      await Promise.all(items.map((p) => this.outbox.saveBatch({ submission_id: submission.submission_id, call_id: p.callId, request: p.request, target: p.target })));
    } catch (err) {
      for (const p of items) p.done.reject(err);
      return;
    }
    try {
      await submitToProvider(this.registry, submission, items.map((p) => batchLine(p.request, p.target, p.callId)).join('\n'), this.submissions);
    } catch (err) {
      // Durable already: the poller submits it later.
      this.logger.warn({ err, submission_id: submission.submission_id, provider: submission.provider }, 'batch submission failed; the poller will retry it');
    }
    for (const p of items) p.done.resolve();
  }
}

/** Uploads the input file and creates the batch, tagged with the submission id; records the provider's batch id. */
export async function submitToProvider(registry: ProviderRegistry, submission: Submission, jsonl: string, submissions: BatchSubmissionsRepository): Promise<string> {
  const client = registry.client(submission.provider);
  const file = await client.files.create({ file: await toFile(Buffer.from(`${jsonl}\n`), `${submission.submission_id}.jsonl`), purpose: 'batch' });
  const batch = await client.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    metadata: { submission_id: submission.submission_id },
  });
  await submissions.setBatchId(submission.submission_id, batch.id);
  return batch.id;
}
