import type { ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

/** Every code is in the shared table (ERROR_CODES), which also decides its HTTP status. */
export type KnowledgeErrorCode = Extract<ErrorCode, 'COLLECTION_NOT_FOUND' | 'DOCUMENT_NOT_FOUND' | 'REQUEST_NOT_FOUND' | 'INVALID_REQUEST' | 'UNAVAILABLE'>;

export class KnowledgeError extends DomainError<KnowledgeErrorCode> {
  readonly kind = 'knowledge';
}
