import { randomUUID } from 'node:crypto';
import { uuidV5 } from './uuid-v5';

// Fixed namespaces, one per origin of a caller-chosen id, so an upstream id and an Idempotency-Key never meet.
const INBOUND_NAMESPACE = '0b5c3f52-8d2e-4c1b-9a37-6f0e2d7c4a11';
const IDEMPOTENCY_NAMESPACE = '7e1d9a04-5b6f-4f83-8c2a-d94b0e6f1c25';

/**
 * The platform's request ids. Callers never choose one: HTTP requests get a random id, and an id a caller
 * does choose (an upstream id on llm.inbound.v1, an Idempotency-Key) is scoped by the tenant, so one tenant's
 * ids can never name another tenant's request. Tenant ids cannot hold a newline, so the name is unambiguous.
 */
export const RequestIds = {
  generated: (): string => randomUUID(),
  inbound: (tenantId: string, upstreamId: string): string => uuidV5(`${tenantId}\n${upstreamId}`, INBOUND_NAMESPACE),
  idempotent: (tenantId: string, idempotencyKey: string): string => uuidV5(`${tenantId}\n${idempotencyKey}`, IDEMPOTENCY_NAMESPACE),
};
