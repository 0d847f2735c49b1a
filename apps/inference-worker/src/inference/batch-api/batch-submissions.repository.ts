import { randomUUID } from 'node:crypto';
import { batchSubmissionKey, batchSubmissionLockKey, openBatchSubmissionsKey, type Redis } from '@llm/redis';

/** One line of a submission: ids only (the request itself stays in its tenant's outbox). */
export interface SubmissionLine {
  tenant_id: string;
  request_id: string;
  call_id: string;
}

export interface Submission {
  submission_id: string;
  provider: string;
  deployment: string;
  /** The provider's batch id, once it accepted the batch; absent while (or if never) submitted. */
  batch_id?: string;
  created_at: number;
  lines: SubmissionLine[];
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Open provider batch submissions in Redis, shared by every worker instance (any of them may finish one). */
export class BatchSubmissionsRepository {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** Recorded before the provider is asked, so a crash in between leaves a submission the poller can recover. */
  async open(s: Submission): Promise<void> {
    const key = batchSubmissionKey(s.submission_id);
    await this.redis
      .multi()
      .hset(key, { provider: s.provider, deployment: s.deployment, created_at: String(s.created_at), lines: JSON.stringify(s.lines) })
      .expire(key, this.ttlSeconds)
      .sadd(openBatchSubmissionsKey(), s.submission_id)
      .exec();
  }

  async setBatchId(submissionId: string, batchId: string): Promise<void> {
    await this.redis.hset(batchSubmissionKey(submissionId), 'batch_id', batchId);
  }

  async openIds(): Promise<string[]> {
    return this.redis.smembers(openBatchSubmissionsKey());
  }

  async get(submissionId: string): Promise<Submission | undefined> {
    const f = await this.redis.hgetall(batchSubmissionKey(submissionId));
    if (!f.provider || !f.lines) return undefined;
    return {
      submission_id: submissionId,
      provider: f.provider,
      deployment: f.deployment ?? '',
      ...(f.batch_id ? { batch_id: f.batch_id } : {}),
      created_at: Number(f.created_at ?? 0),
      lines: JSON.parse(f.lines) as SubmissionLine[],
    };
  }

  async close(submissionId: string): Promise<void> {
    await this.redis.multi().srem(openBatchSubmissionsKey(), submissionId).del(batchSubmissionKey(submissionId)).exec();
  }

  /** One worker at a time polls and finishes a submission. */
  async lock(submissionId: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const token = randomUUID();
    const key = batchSubmissionLockKey(submissionId);
    if ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    return async () => void (await this.redis.eval(RELEASE, 1, key, token));
  }
}
