import { createHash } from 'node:crypto';

/**
 * A deterministic evaluation id (UUID version 8 from a SHA-256 of request id and judge): a redelivered result
 * yields the same id, so consumers of llm.evaluations.v1 can drop the repeat.
 */
export function evaluationIdFor(requestId: string, judge: string): string {
  const hex = createHash('sha256').update(`${requestId}:${judge}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
