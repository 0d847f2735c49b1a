import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { describeErrorCode, isErrorCode, type ErrorCode } from '@llm/contracts';
import { isDomainError } from '@llm/errors';
import type { Logger } from '@llm/telemetry';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { AdminAuthError } from './admin-token.guard';
import { errorBody, errorCodeForStatus, type HttpStatusMapper } from './http-error';

interface Described {
  status: number;
  code: ErrorCode;
  message: string;
  retryable: boolean;
  retryAfterS?: number;
}

/**
 * Registered once for the hybrid app (HTTP and the Kafka transport share it). Kafka handler errors pass
 * through untouched: the transport needs the original error's code and retryable flag to choose retry or DLQ.
 * The one place HTTP errors are shaped, always with a code of the shared table (ERROR_CODES): domain errors
 * keep their code when it is in the table, body-parser and framework errors get stable codes, anything else
 * is a 500 without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly mappers: readonly HttpStatusMapper[],
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { requestId?: string }>();
    const { status, code, message, retryable, retryAfterS } = this.describe(exception);
    if (status >= 500) this.logger.error({ err: exception, path: req.path, code }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (retryAfterS !== undefined) res.setHeader('Retry-After', String(retryAfterS));
    res.status(status).json(errorBody(code, message, retryable, req.requestId));
  }

  private describe(exception: unknown): Described {
    if (isDomainError(exception)) {
      if (exception instanceof AdminAuthError) return { status: 401, code: 'ADMIN_UNAUTHORIZED', message: exception.message, retryable: false };
      const { retryable, retryAfterS, message } = exception;
      if (isErrorCode(exception.code)) return { status: describeErrorCode(exception.code).status, code: exception.code, message, retryable, retryAfterS };
      // A module code outside the table: its module's status decides, the table's code for that status is shown.
      const mapped = this.mappers.map((map) => map(exception)).find((s) => s !== undefined);
      const status = mapped ?? (retryable ? 503 : 500);
      return { status, code: errorCodeForStatus(status), message: status >= 500 && !retryable ? 'internal error' : message, retryable, retryAfterS };
    }
    // Body-parser failures arrive as BodyError domain errors (json-body.ts).
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = errorCodeForStatus(status);
      return { status, code, message: status === 404 ? 'no such route' : status >= 500 ? 'internal error' : exception.message, retryable: status === 503 };
    }
    return { status: 500, code: 'INTERNAL', message: 'internal error', retryable: false };
  }
}
