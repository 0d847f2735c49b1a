import { assertUnreachable, DomainError } from '@llm/errors';
import type { HttpStatusMapper } from '@llm/service-runtime';

export type SemanticCacheErrorCode = 'INVALID_THRESHOLD' | 'INVALID_REQUEST';

export class SemanticCacheError extends DomainError<SemanticCacheErrorCode> {
  readonly kind = 'semantic-cache';
}

export function semanticCacheHttpStatus(code: SemanticCacheErrorCode): number {
  switch (code) {
    case 'INVALID_THRESHOLD':
    case 'INVALID_REQUEST':
      return 400;
    default:
      return assertUnreachable(code);
  }
}

export const semanticCacheHttpErrorMapper: HttpStatusMapper = (error) => (error instanceof SemanticCacheError ? semanticCacheHttpStatus(error.code) : undefined);
