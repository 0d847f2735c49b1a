import { createHash } from 'node:crypto';

/** API keys are stored as SHA-256 hashes; the secret is shown once, at creation. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
