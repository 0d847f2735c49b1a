import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { isDomainError } from '@llm/errors';
import type { Logger } from '@llm/telemetry';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { AdminAuthError } from './admin-token.guard';
import { errorBody, type HttpStatusMapper } from './http-error';

/**
 * Registered once for the hybrid app (HTTP and the Kafka transport share it). Kafka handler errors pass
 * through untouched: the transport needs the original error's code and retryable flag to choose retry or DLQ.
 * The one place HTTP errors are shaped. Domain errors get their module's status and keep their code;
 * body-parser and framework errors get stable codes; anything else is a 500 without internals.
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
    if (retryAfterS !== undefined) res.setHeader('Retry-After', String(retryAfterS));
    res.status(status).json(errorBody(code, message, status, retryable, req.requestId));
  }

  private describe(exception: unknown): { status: number; code: string; message: string; retryable: boolean; retryAfterS?: number } {
    if (isDomainError(exception)) {
      if (exception instanceof AdminAuthError) return { status: 401, code: exception.code, message: exception.message, retryable: false };
      for (const map of this.mappers) {
        const status = map(exception);
        if (status !== undefined) return { status, code: exception.code, message: exception.message, retryable: exception.retryable, retryAfterS: exception.retryAfterS };
      }
      return { status: exception.retryable ? 503 : 500, code: exception.code, message: exception.message, retryable: exception.retryable };
    }
    const e = exception as { type?: string; status?: number; statusCode?: number };
    // body-parser errors carry a `type`; their messages are safe and useful.
    if (e.type === 'entity.too.large') return { status: 413, code: 'BODY_TOO_LARGE', message: 'request body is too large', retryable: false };
    if (e.type === 'entity.parse.failed') return { status: 400, code: 'INVALID_JSON', message: 'request body is not valid JSON', retryable: false };
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return { status: 415, code: 'UNSUPPORTED_ENCODING', message: 'unsupported body encoding', retryable: false };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : `HTTP_${status}`;
      return { status, code, message: status === 404 ? 'no such route' : exception.message, retryable: false };
    }
    return { status: 500, code: 'INTERNAL', message: 'internal error', retryable: false };
  }
}
