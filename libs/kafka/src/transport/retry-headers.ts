import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Headers } from '@llm/contracts';

/** HMAC over the retry headers; only this transport writes it (libs/config KAFKA_RETRY_SECRET). */
export const RETRY_SIGNATURE_HEADER = 'x-retry-sig';

export interface RetryInfo {
  attempt: number;
  /** Epoch ms before which the message must not be handled again; 0 when none. */
  retryAt: number;
}

/**
 * The signed text: the logical topic, the message identity (a hash of its bytes, which a retry forwards
 * untouched, so the partition does not matter) and the two retry headers.
 */
function signature(secret: string, topic: string, value: Buffer | null, info: RetryInfo): string {
  const identity = createHash('sha256')
    .update(value ?? Buffer.alloc(0))
    .digest('hex');
  return createHmac('sha256', secret).update(`${topic}\n${identity}\n${info.attempt}\n${info.retryAt}`).digest('hex');
}

export function signRetry(secret: string, topic: string, value: Buffer | null, info: RetryInfo): Record<string, string> {
  return {
    [Headers.attempt]: String(info.attempt),
    [Headers.retryAt]: String(info.retryAt),
    [RETRY_SIGNATURE_HEADER]: signature(secret, topic, value, info),
  };
}

/**
 * Attempt and retry time of a message, trusted only when this transport signed them. An upstream producer's
 * `x-attempt: 99` or `x-retry-at: <next year>` is read as a first attempt with no delay.
 */
export function verifiedRetry(secret: string, topic: string, value: Buffer | null, headers: Readonly<Record<string, string>>): RetryInfo {
  const given = headers[RETRY_SIGNATURE_HEADER];
  if (!given) return { attempt: 1, retryAt: 0 };
  const info = { attempt: Number(headers[Headers.attempt]), retryAt: Number(headers[Headers.retryAt] ?? 0) };
  if (!Number.isInteger(info.attempt) || info.attempt < 1 || !Number.isFinite(info.retryAt)) return { attempt: 1, retryAt: 0 };
  const expected = Buffer.from(signature(secret, topic, value, info), 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? info : { attempt: 1, retryAt: 0 };
}
