import { tenantId as tenantIdSchema } from '@llm/contracts';

/**
 * The one builder of Redis keys (STYLE.md §7). Every key starts with the tenant, so a key for one tenant can
 * never address another's data, and a tenant's keys can be found, counted and purged by prefix. The tenant id
 * is validated here: a crafted id with a separator cannot escape its prefix.
 */
export class TenantKeys {
  readonly prefix: string;

  constructor(readonly tenantId: string) {
    tenantIdSchema.parse(tenantId);
    this.prefix = `t:${tenantId}:`;
  }

  /** Token deltas and the terminal event of one request. */
  requestStream(requestId: string): string {
    return `${this.prefix}stream:${requestId}`;
  }

  /** Pub/sub channel that wakes readers of a request stream. */
  requestNotify(requestId: string): string {
    return `${this.prefix}notify:${requestId}`;
  }

  /** Guard that lets exactly one terminal event into a request stream. */
  requestTerminal(requestId: string): string {
    return `${this.prefix}terminal:${requestId}`;
  }

  /** Set when the caller left: whoever runs the request stops and charges what was consumed. */
  requestCancel(requestId: string): string {
    return `${this.prefix}cancel:${requestId}`;
  }

  /**
   * The inference outbox of one request (hash): the call counter, each provider call's usage event and the
   * final result, written before they are published so a redelivery republishes instead of calling again.
   */
  inferenceOutbox(requestId: string): string {
    return `${this.prefix}outbox:${requestId}`;
  }

  /** Per-request lease: only its holder may call a provider for the request. */
  inferenceLease(requestId: string): string {
    return `${this.prefix}lease:${requestId}`;
  }

  requestStatus(requestId: string): string {
    return `${this.prefix}req:${requestId}`;
  }

  /** Evaluator counters of this tenant's results. */
  evaluationCounts(): string {
    return `${this.prefix}eval:counts`;
  }

  /** Set-once marker that a result was counted (redelivery must not count it twice). */
  evaluationSeen(requestId: string): string {
    return `${this.prefix}eval:seen:${requestId}`;
  }

  /**
   * Live budget state (hash: spent/reserved micro-dollars and tokens, limits) of one scope and period.
   * subject: '' for the tenant, a user hash or a feature name (base64url, so no subject can forge a separator).
   */
  budgetState(scope: 'tenant' | 'user' | 'feature', subject: string, periodKey: string): string {
    if (!/^(d\d{8}|m\d{6})$/.test(periodKey)) throw new Error('budget period key must be dYYYYMMDD or mYYYYMM');
    return `${this.prefix}budget:${scope}:${Buffer.from(subject).toString('base64url')}:${periodKey}`;
  }

  /** The token-limit counters an admitted request consumed, so its completion tokens can be charged to them. */
  admittedTokenLimits(requestId: string): string {
    return `${this.prefix}rl:admitted:${requestId}`;
  }

  /**
   * Admission's concurrency slots (sorted sets scored by expiry): the tenant's own set, or one API key's set when
   * `apiKeyId` is given. kind: 'conn' for open connections, 'inflight' for requests queued or running.
   */
  admissionSlots(kind: 'conn' | 'inflight', apiKeyId?: string): string {
    return apiKeyId === undefined ? `${this.prefix}adm:${kind}` : `${this.admissionKeySlotsPrefix(kind)}${apiKeyId}`;
  }

  /** What precedes an API key id in its slot set's key (a script that knows only the id rebuilds the key). */
  admissionKeySlotsPrefix(kind: 'conn' | 'inflight'): string {
    return `${this.prefix}adm:${kind}:key:`;
  }

  /** Which API key holds each in-flight slot (hash: request id -> key id), so any instance can release it. */
  admissionInFlightOwners(): string {
    return `${this.prefix}adm:inflight:owner`;
  }

  /** What one request reserved at admission, and on which budget states (released when it settles). */
  budgetReservation(requestId: string): string {
    return `${this.prefix}budget:res:${requestId}`;
  }

  /** Set-once marker: this provider call was settled (a replay never settles twice). */
  budgetSettled(requestId: string, callId: string): string {
    return `${this.prefix}budget:settled:${requestId}:${callId}`;
  }

  exactCache(hash: string): string {
    if (!/^[a-f0-9]{16,128}$/.test(hash)) throw new Error('cache hash must be hex');
    return `${this.prefix}cache:exact:${hash}`;
  }

  /** A semantic-cache answer (the vector index holds its question's embedding under the same id). */
  semanticAnswer(entryId: string): string {
    if (!/^[a-f0-9]{64}$/.test(entryId)) throw new Error('entry id must be sha256 hex');
    return `${this.prefix}cache:sem:${entryId}`;
  }

  /** What a semantic miss needs to store its answer when the result arrives (question, context hash). */
  semanticPending(requestId: string): string {
    return `${this.prefix}cache:sem-pending:${requestId}`;
  }

  /** Cache version keys (hash: tenant, feature:<f>, collection:<c>); bumping one retires its entries. */
  cacheVersions(): string {
    return `${this.prefix}cache:versions`;
  }

  /** Per-feature semantic similarity thresholds (hash: feature:<f>, or * for the tenant's default). */
  semanticThresholds(): string {
    return `${this.prefix}cache:sem-thresholds`;
  }
}

/**
 * Embedding cache key: model + sha256 of the text. Not tenant-prefixed on purpose: an embedding is a pure function
 * of (model, text) and holds no answer, so tenants share it; the answers stay behind TenantKeys.
 */
export function embeddingCacheKey(model: string, textHash: string): string {
  if (!/^[a-f0-9]{64}$/.test(textHash)) throw new Error('text hash must be sha256 hex');
  if (!/^[\w.@/-]{1,128}$/.test(model)) throw new Error('model name has unexpected characters');
  return `emb:${model}:${textHash}`;
}

/** Token-states cache key (libs/embeddings, token-states.ts): same sharing rule as embeddingCacheKey. */
export function tokenStatesCacheKey(model: string, textHash: string): string {
  return `emb-tok:${embeddingCacheKey(model, textHash).slice('emb:'.length)}`;
}

/**
 * Shared limit state of one provider deployment (concurrency permits, RPM/TPM windows, a Retry-After cooldown).
 * Not tenant-prefixed on purpose: a provider's limits are spent by every tenant's calls together.
 */
export function deploymentLimitKey(kind: 'conc' | 'rpm' | 'tpm' | 'cool', provider: string, deployment: string): string {
  if (!/^[\w.@/:-]{1,256}$/.test(deployment) || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(provider)) throw new Error('deployment name has unexpected characters');
  // One hash tag per deployment: a cluster keeps its keys in one slot, so one script may touch several.
  return `dl:{${provider}/${deployment}}:${kind}`;
}

/**
 * Live call statistics of one catalog deployment in one UTC minute (hash: calls, errors, routed). Not tenant
 * prefixed on purpose: a deployment's health is shared by every tenant routed to it, and holds no tenant data.
 */
export function deploymentStatsKey(deploymentId: string, minute: number): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(deploymentId)) throw new Error('deployment id has unexpected characters');
  if (!Number.isSafeInteger(minute) || minute < 0) throw new Error('minute must be a non-negative integer');
  return `dep:${deploymentId}:stats:${minute}`;
}

/**
 * Provider batch submissions (inference worker, batch band): one hash per submission with its provider, the
 * provider's batch id and the (tenant_id, request_id, call_id) references of its lines, and one set of open
 * submissions. Not tenant-prefixed on purpose: one provider batch carries several tenants' requests; it holds
 * ids only, every request's content stays in its tenant's outbox (TenantKeys.inferenceOutbox).
 */
export function batchSubmissionKey(submissionId: string): string {
  if (!/^[a-f0-9-]{36}$/.test(submissionId)) throw new Error('submission id must be a uuid');
  return `bsub:${submissionId}`;
}

export function openBatchSubmissionsKey(): string {
  return 'bsub:open';
}

export function batchSubmissionLockKey(submissionId: string): string {
  return `${batchSubmissionKey(submissionId)}:lock`;
}
