import type { ErrorCode } from '@llm/contracts';
import { DomainError } from '@llm/errors';

export class InboundSigningError extends DomainError<Extract<ErrorCode, 'SIGNATURE_INVALID'>> {
  readonly kind = 'inbound-signing';
}
