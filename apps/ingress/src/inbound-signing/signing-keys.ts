import { readFileSync } from 'node:fs';
import { issueLines } from '@llm/config';
import { z } from 'zod';

/**
 * Per-tenant signing secrets of inbound upstreams. At most two active per tenant, so a secret can be rotated
 * without a gap: add the new one, move producers to it, remove the old one.
 */
export const signingKeysSchema = z.record(
  z.string().min(1),
  z
    .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), secret: z.string().min(32) }))
    .min(1)
    .max(2),
);
export type SigningKeys = z.infer<typeof signingKeysSchema>;

export function loadSigningKeys(path: string | undefined): SigningKeys {
  if (!path) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read inbound signing keys ${path}: ${(err as Error).message}`);
  }
  const parsed = signingKeysSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `invalid inbound signing keys ${path}:\n${issueLines(parsed.error.issues)
        .map((l) => `  - ${l}`)
        .join('\n')}`,
    );
  return parsed.data;
}
