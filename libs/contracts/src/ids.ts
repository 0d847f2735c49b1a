import { z } from 'zod';

/** Tenant ids end up in Kafka keys, Redis keys and SQL; keep them to a safe alphabet. */
export const tenantId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'tenant id: lowercase letters, digits, _ and -, at most 63 characters');

export const requestId = z.uuid();

/** Caller-supplied identifiers (user, feature) are opaque but bounded and printable. */
export const opaqueId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const isoDateTime = z.iso.datetime({ offset: true });

/** Money is integer micro-dollars (1 USD = 1,000,000). */
export const micros = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const tokenCount = z.number().int().min(0).max(100_000_000);
