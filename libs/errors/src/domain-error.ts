/**
 * Base of every module's error class (STYLE.md §5): a stable `code`, `retryable` (false unless the module says
 * otherwise), and a message that is safe to show the caller. Transports map it: HTTP to a status and JSON body,
 * Kafka to retry or DLQ. Domain code never throws HTTP exceptions.
 */
export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly kind: string;

  constructor(
    readonly code: C,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryAfterS = options?.retryAfterS;
  }

  readonly retryAfterS?: number;
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);
/** Errors ioredis raises while it is (re)connecting: plain Errors without a code, recognised by name or message. */
const TRANSIENT_NAMES = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSConnectionError', 'MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const TRANSIENT_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /^Command timed out$/,
  /^connect ETIMEDOUT$/,
  /^Socket timeout\./,
  /^(LOADING|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/,
];

/**
 * Whether retrying could succeed. Domain errors say so themselves; the first domain error found along the
 * `cause` chain decides, so wrapping keeps the flag. Network failures and errors a client library marks
 * retriable are transient. Anything else (a bug, a TypeError) is not: retrying a bug only delays the DLQ.
 */
export function isRetryable(err: unknown, depth = 0): boolean {
  if (depth > 8 || typeof err !== 'object' || err === null) return false;
  if (err instanceof DomainError) return err.retryable;
  const e = err as { code?: unknown; retriable?: unknown; cause?: unknown; name?: unknown; message?: unknown };
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (e.retriable === true) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((m) => m.test(e.message as string))) return true;
  return e.cause !== undefined ? isRetryable(e.cause, depth + 1) : false;
}

/** The code to report for any error: the domain code if there is one along the cause chain, else INTERNAL. */
export function errorCodeOf(err: unknown, depth = 0): string {
  if (depth > 8 || typeof err !== 'object' || err === null) return 'INTERNAL';
  if (err instanceof DomainError) return err.code;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined ? errorCodeOf(cause, depth + 1) : 'INTERNAL';
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
