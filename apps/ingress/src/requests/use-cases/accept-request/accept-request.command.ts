import { createHash } from 'node:crypto';
import { canonicalJson } from '@llm/cache-key';
import {
  cacheDirective,
  chatRequestBody,
  opaqueId,
  ragOptions,
  type CacheDirective,
  type ChatRequestBody,
  type LlmRequestV1,
  type Priority,
  type RequestMode,
} from '@llm/contracts';

type ScreeningPolicy = NonNullable<LlmRequestV1['screening']>;
import { summarizeIssues } from '@llm/config';
import { RequestIds } from '../../identity/request-ids';
import { RequestError } from '../../requests.errors';
import { nestsDeeperThan } from './json-depth';

/** Far deeper than any real chat request or tool schema, far shallower than a stack overflow. */
export const MAX_BODY_DEPTH = 64;

export interface AcceptRequestInput {
  tenantId: string;
  tier: 'paid' | 'free';
  mode: RequestMode;
  body: unknown;
  /** `batch` asks for the batch band; anything else is realtime for the tenant's tier. */
  priorityHint?: string;
  idempotencyKey?: string;
  userId?: string;
  feature?: string;
  rag?: unknown;
  /** The upstream's own id of a Kafka inbound event; the platform's id is derived from it and the tenant. */
  upstreamId?: string;
  /** `refresh` (skip the cache lookups, store the fresh answer) or `off` (neither read nor write); HTTP header `x-llm-cache`. */
  cache?: string;
  /** The model tiers the caller's plan may use: the router never plans outside them (AdmissionGate.allowedTiers). */
  allowedTiers?: ReadonlyArray<'small' | 'medium' | 'large'>;
  /** The plan's prompt-injection policy, for the retriever to apply to retrieved context. */
  screening?: ScreeningPolicy;
}

/** A validated request to accept. The tenant comes from authentication, never from the body. */
export class AcceptRequestCommand {
  private constructor(
    readonly tenantId: string,
    readonly requestId: string,
    readonly mode: RequestMode,
    readonly priority: Priority,
    readonly body: ChatRequestBody,
    readonly fingerprint: string,
    readonly idempotencyKey?: string,
    readonly upstreamId?: string,
    readonly userId?: string,
    readonly feature?: string,
    readonly rag?: { collection: string; top_k: number },
    readonly cache?: Exclude<CacheDirective, 'default'>,
    readonly allowedTiers?: ReadonlyArray<'small' | 'medium' | 'large'>,
    readonly screening?: ScreeningPolicy,
  ) {}

  static create(input: AcceptRequestInput): AcceptRequestCommand {
    if (nestsDeeperThan(input.body, MAX_BODY_DEPTH) || nestsDeeperThan(input.rag, MAX_BODY_DEPTH)) {
      throw new RequestError('INVALID_REQUEST', `request body nests deeper than ${MAX_BODY_DEPTH} levels`);
    }
    const body = chatRequestBody.safeParse(input.body);
    if (!body.success) throw new RequestError('INVALID_REQUEST', `invalid request body: ${summarizeIssues(body.error.issues)}`);
    if (input.idempotencyKey !== undefined && (input.idempotencyKey.length < 1 || input.idempotencyKey.length > 255)) {
      throw new RequestError('INVALID_REQUEST', 'Idempotency-Key must be 1 to 255 characters');
    }
    const upstreamId = input.upstreamId === undefined ? undefined : opaqueId.safeParse(input.upstreamId);
    if (upstreamId && !upstreamId.success) throw new RequestError('INVALID_REQUEST', 'invalid upstream request id: printable ASCII without spaces, at most 128 characters');
    const userId = optionalId(input.userId, 'user');
    const feature = optionalId(input.feature, 'feature');
    const rag = input.rag === undefined ? undefined : ragOptions.safeParse(input.rag);
    if (rag && !rag.success) throw new RequestError('INVALID_REQUEST', `invalid rag options: ${summarizeIssues(rag.error.issues)}`);
    const cache = input.cache === undefined ? undefined : cacheDirective.safeParse(input.cache.trim().toLowerCase());
    if (cache && !cache.success) throw new RequestError('INVALID_REQUEST', 'x-llm-cache must be one of default, refresh, off');
    const directive = cache?.data === 'default' ? undefined : cache?.data;
    const priority: Priority = input.priorityHint === 'batch' ? 'batch' : input.tier === 'paid' ? 'realtime-paid' : 'realtime-free';
    const mode: RequestMode = input.mode !== 'kafka' && body.data.stream ? 'stream' : input.mode;
    // The fingerprint covers what decides the work (body and RAG options), so a reused id with other work is refused.
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ body: body.data, rag: rag?.data ?? null }))
      .digest('hex')
      .slice(0, 32);
    // Callers never choose the platform's id: a caller-chosen id is scoped by the tenant (RequestIds).
    const requestId = upstreamId?.data
      ? RequestIds.inbound(input.tenantId, upstreamId.data)
      : input.idempotencyKey
        ? RequestIds.idempotent(input.tenantId, input.idempotencyKey)
        : RequestIds.generated();
    return new AcceptRequestCommand(
      input.tenantId,
      requestId,
      mode,
      priority,
      body.data,
      fingerprint,
      input.idempotencyKey,
      upstreamId?.data,
      userId,
      feature,
      rag?.data,
      directive,
      input.allowedTiers,
      input.screening,
    );
  }
}

function optionalId(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = opaqueId.safeParse(value);
  if (!parsed.success) throw new RequestError('INVALID_REQUEST', `invalid ${what} id: printable ASCII without spaces, at most 128 characters`);
  return parsed.data;
}
