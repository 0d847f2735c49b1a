import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '@llm/cache-key';
import { chatRequestBody, opaqueId, ragOptions, type ChatRequestBody, type Priority, type RequestMode } from '@llm/contracts';
import { summarizeIssues } from '@llm/kafka';
import { RequestError } from '../../requests.errors';

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
  /** Set for Kafka inbound events, whose id the upstream system chose. */
  requestId?: string;
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
    readonly userId?: string,
    readonly feature?: string,
    readonly rag?: { collection: string; top_k: number },
  ) {}

  static create(input: AcceptRequestInput): AcceptRequestCommand {
    const body = chatRequestBody.safeParse(input.body);
    if (!body.success) throw new RequestError('INVALID_REQUEST', `invalid request body: ${summarizeIssues(body.error.issues)}`);
    if (input.idempotencyKey !== undefined && (input.idempotencyKey.length < 1 || input.idempotencyKey.length > 255)) {
      throw new RequestError('INVALID_REQUEST', 'Idempotency-Key must be 1 to 255 characters');
    }
    const userId = optionalId(input.userId, 'user');
    const feature = optionalId(input.feature, 'feature');
    const rag = input.rag === undefined ? undefined : ragOptions.safeParse(input.rag);
    if (rag && !rag.success) throw new RequestError('INVALID_REQUEST', `invalid rag options: ${summarizeIssues(rag.error.issues)}`);
    const priority: Priority = input.priorityHint === 'batch' ? 'batch' : input.tier === 'paid' ? 'realtime-paid' : 'realtime-free';
    const mode: RequestMode = input.mode !== 'kafka' && body.data.stream ? 'stream' : input.mode;
    const fingerprint = createHash('sha256').update(canonicalJson(body.data)).digest('hex').slice(0, 32);
    return new AcceptRequestCommand(input.tenantId, input.requestId ?? randomUUID(), mode, priority, body.data, fingerprint, input.idempotencyKey, userId, feature, rag?.data);
  }
}

function optionalId(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = opaqueId.safeParse(value);
  if (!parsed.success) throw new RequestError('INVALID_REQUEST', `invalid ${what} id: printable ASCII without spaces, at most 128 characters`);
  return parsed.data;
}
