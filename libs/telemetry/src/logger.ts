import { createHash } from 'node:crypto';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Prompts, completions and credentials never reach a log line. Redaction is the safety net; call sites log
 * ids and counts, not payloads.
 */
export const REDACT_PATHS = [
  'body',
  'messages',
  'prompt',
  'content',
  'response',
  'apiKey',
  'api_key',
  'authorization',
  '*.body',
  '*.messages',
  '*.prompt',
  '*.content',
  '*.response',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Defaults to stdout; tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}

/** User ids are PII: logs carry a short keyed-free hash that still groups one user's lines. */
export function hashUserId(userId: string | undefined): string | undefined {
  if (userId === undefined) return undefined;
  return createHash('sha256').update(userId).digest('hex').slice(0, 16);
}

/** The fields DESIGN.md asks of every request log line. */
export interface RequestLogFields {
  request_id: string;
  tenant_id: string;
  user_id?: string;
  model?: string;
  tokens_in?: number;
  tokens_out?: number;
  latency_ms?: number;
  retries?: number;
  fallback_triggered?: boolean;
}

export function requestLogFields(fields: RequestLogFields): RequestLogFields {
  return { ...fields, user_id: hashUserId(fields.user_id) };
}
