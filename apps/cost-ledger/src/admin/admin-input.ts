import { summarizeIssues } from '@llm/config';
import type { z } from 'zod';
import { AdminError } from './admin.errors';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AdminError('INVALID_REQUEST', summarizeIssues(parsed.error.issues));
  return parsed.data;
}

export function parseLimit(v: unknown, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= max)) throw new AdminError('INVALID_REQUEST', `limit must be an integer from 1 to ${max}`);
  return n;
}

/** Opaque cursors: base64url JSON of the last row's sort key. */
export const cursor = {
  encode: (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url'),
  decode<T extends Record<string, string>>(v: unknown, keys: readonly (keyof T)[]): T | undefined {
    if (v === undefined) return undefined;
    try {
      const o = JSON.parse(Buffer.from(String(v), 'base64url').toString('utf8')) as Record<string, unknown>;
      if (keys.every((k) => typeof o[k as string] === 'string')) return o as T;
    } catch {
      // falls through to the error below
    }
    throw new AdminError('INVALID_REQUEST', 'cursor is not one this API issued');
  },
};

export function toCsv(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    // Quote when needed; a leading =,+,-,@ is prefixed so a spreadsheet never runs it as a formula.
    const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
