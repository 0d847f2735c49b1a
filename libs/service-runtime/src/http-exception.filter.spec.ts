import { BadRequestException, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { DomainError } from '@llm/errors';
import { createLogger } from '@llm/telemetry';
import type { Request, Response } from 'express';
import { HttpExceptionFilter } from './http-exception.filter';
import { bodyError } from './json-body';

const silent = createLogger({ service: 'test', level: 'silent' });

class OrderError extends DomainError<'MODEL_NOT_FOUND' | 'ORDER_LOCKED' | 'UNAVAILABLE'> {
  readonly kind = 'order';
}

interface Captured {
  status?: number;
  body?: unknown;
  headers: Record<string, string>;
}

function httpHost(captured: Captured): ArgumentsHost {
  const res: Pick<Response, 'status' | 'json' | 'setHeader' | 'end'> & { headersSent: boolean } = {
    headersSent: false,
    status(code: number) {
      captured.status = code;
      return this as Response;
    },
    json(body: unknown) {
      captured.body = body;
      return this as Response;
    },
    setHeader(name: string, value: string) {
      captured.headers[name] = value;
      return this as Response;
    },
    end() {
      return this as Response;
    },
  };
  const req: Pick<Request, 'path'> & { requestId?: string } = { path: '/v1/x', requestId: 'req-1' };
  const http = { getResponse: () => res, getRequest: () => req, getNext: () => undefined };
  return {
    getType: () => 'http',
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('not rpc');
    },
    switchToWs: () => {
      throw new Error('not ws');
    },
    getArgs: () => [req, res],
    getArgByIndex: () => undefined,
  } as ArgumentsHost;
}

function run(exception: unknown, mappers = [(e: DomainError) => (e.code === 'ORDER_LOCKED' ? 423 : undefined)]): Captured {
  const captured: Captured = { headers: {} };
  new HttpExceptionFilter(mappers, silent).catch(exception, httpHost(captured));
  return captured;
}

describe('HttpExceptionFilter', () => {
  it('answers in OpenAI shape with the OpenAI code and our code beside it', () => {
    const out = run(new OrderError('MODEL_NOT_FOUND', 'no model x'));
    expect(out.status).toBe(404);
    expect(out.body).toEqual({
      error: {
        message: 'no model x',
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: null,
        platform_code: 'MODEL_NOT_FOUND',
        retryable: false,
        request_id: 'req-1',
      },
    });
  });

  it('gives bad JSON a stable code, never HTTP_400', () => {
    const out = run(bodyError(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 })));
    expect(out.status).toBe(400);
    expect(out.body).toMatchObject({ error: { platform_code: 'INVALID_JSON', code: 'invalid_json' } });
    expect(run(new BadRequestException('nope')).body).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });
    expect(run(new NotFoundException()).body).toMatchObject({ error: { platform_code: 'NOT_FOUND', message: 'no such route' } });
  });

  it('keeps every code inside the shared table, even for a module code outside it', () => {
    const out = run(new OrderError('ORDER_LOCKED', 'locked'));
    expect(out.status).toBe(423);
    expect(out.body).toMatchObject({ error: { platform_code: 'INVALID_REQUEST' } });
  });

  it('says when to retry an unavailable dependency', () => {
    const out = run(new OrderError('UNAVAILABLE', 'redis is down', true, { retryAfterS: 1 }));
    expect(out.status).toBe(503);
    expect(out.headers['Retry-After']).toBe('1');
    expect(out.body).toMatchObject({ error: { platform_code: 'UNAVAILABLE', retryable: true } });
  });

  it('hides the internals of unexpected errors', () => {
    const out = run(new TypeError('cannot read x of undefined at /srv/app.js'));
    expect(out.status).toBe(500);
    expect(out.body).toMatchObject({ error: { platform_code: 'INTERNAL', message: 'internal error' } });
  });
});
