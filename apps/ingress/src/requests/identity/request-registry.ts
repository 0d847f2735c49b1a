/** What the registry remembers of an accepted request. */
export interface RegisteredRequest {
  fingerprint: string;
  createdAt: string;
  deadlineAt?: string;
  /** False while the broker has not acknowledged the request (the acceptance was ambiguous). */
  accepted: boolean;
}

export interface RequestRegistration {
  fingerprint: string;
  upstreamId?: string;
  createdAt: string;
  deadlineAt?: string;
}

/**
 * The durable record of every request id ever accepted, per tenant (Postgres; tests fake it). It outlives any
 * cache TTL, so an id is never run twice however long after it was first seen.
 */
export abstract class RequestRegistry {
  /** Registers the id; returns the earlier registration instead when the id is already known. */
  abstract claim(tenantId: string, requestId: string, registration: RequestRegistration): Promise<RegisteredRequest | undefined>;
  /** The registration of an id, if it has one (read-only; admission uses it to recognise a replay). */
  abstract find(tenantId: string, requestId: string): Promise<RegisteredRequest | undefined>;
  /** The broker acknowledged the request. */
  abstract markAccepted(tenantId: string, requestId: string): Promise<void>;
  /** Forgets an id whose request was definitely not published, so it may be sent again. */
  abstract release(tenantId: string, requestId: string): Promise<void>;
}
