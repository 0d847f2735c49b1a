import { randomUUID } from 'node:crypto';
import { idempotentRequestId, inboundRequestId } from '@llm/contracts';

/**
 * The platform's request ids. Callers never choose one: HTTP requests get a random id, and an id a caller
 * does choose (an upstream id on llm.inbound.v1, an Idempotency-Key) is scoped by the tenant.
 */
export const RequestIds = {
  generated: (): string => randomUUID(),
  inbound: inboundRequestId,
  idempotent: idempotentRequestId,
};
