import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKeys } from './signing-keys';

export const SIGNATURE_VERSION = 'v1';

/** `v1=<hex>`: HMAC-SHA256 with the tenant's secret over the message value exactly as produced (its bytes). */
export function signInbound(secret: string, value: Buffer | string): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(value).digest('hex')}`;
}

export type SignatureCheck = { ok: true; keyId?: string } | { ok: false; reason: 'unsigned' | 'malformed' | 'unknown-key' | 'mismatch' | 'no-keys' };

/**
 * Verifies an inbound event's signature against its tenant's active secrets (the named one when the producer
 * says which). A tenant with secrets must sign; one without may send unsigned events only when signatures are
 * not required (development).
 */
export function verifyInbound(
  keys: SigningKeys,
  tenantId: string,
  value: Buffer | null,
  signature: string | undefined,
  keyId: string | undefined,
  required: boolean,
): SignatureCheck {
  const secrets = Object.hasOwn(keys, tenantId) ? keys[tenantId]! : [];
  if (signature === undefined) {
    if (secrets.length > 0 || required) return { ok: false, reason: 'unsigned' };
    return { ok: true };
  }
  if (secrets.length === 0) return { ok: false, reason: 'no-keys' };
  const match = /^v1=([0-9a-f]{64})$/.exec(signature);
  if (!match || value === null) return { ok: false, reason: 'malformed' };
  const candidates = keyId === undefined ? secrets : secrets.filter((s) => s.id === keyId);
  if (candidates.length === 0) return { ok: false, reason: 'unknown-key' };
  const given = Buffer.from(match[1]!, 'hex');
  for (const candidate of candidates) {
    const expected = createHmac('sha256', candidate.secret).update(value).digest();
    if (timingSafeEqual(expected, given)) return { ok: true, keyId: candidate.id };
  }
  return { ok: false, reason: 'mismatch' };
}
