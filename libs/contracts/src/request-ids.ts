import { uuidV5 } from './uuid-v5';

// Fixed namespaces, one per origin of a caller-chosen id, so an upstream id and an Idempotency-Key never meet.
const INBOUND_NAMESPACE = '0b5c3f52-8d2e-4c1b-9a37-6f0e2d7c4a11';
const IDEMPOTENCY_NAMESPACE = '7e1d9a04-5b6f-4f83-8c2a-d94b0e6f1c25';

/**
 * The platform's request id of an llm.inbound.v1 event: the upstream's id scoped by its tenant (UUIDv5), so
 * one tenant's ids can never name another tenant's request. Tenant ids cannot hold a newline, so the name is
 * unambiguous. Upstream systems may compute it too.
 */
export function inboundRequestId(tenantId: string, upstreamId: string): string {
  return uuidV5(`${tenantId}\n${upstreamId}`, INBOUND_NAMESPACE);
}

/** The request id of an HTTP request sent with an Idempotency-Key, scoped by its tenant the same way. */
export function idempotentRequestId(tenantId: string, idempotencyKey: string): string {
  return uuidV5(`${tenantId}\n${idempotencyKey}`, IDEMPOTENCY_NAMESPACE);
}
