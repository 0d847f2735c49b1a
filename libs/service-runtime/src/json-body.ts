import { DomainError } from '@llm/errors';
import { json, type RequestHandler } from 'express';

export class BodyError extends DomainError<'INVALID_JSON' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_ENCODING'> {
  readonly kind = 'body';
}

/**
 * The JSON body parser, bounded by `limit`. Its failures become domain errors with stable codes here: Nest
 * turns a raw body-parser SyntaxError into a generic 400 before any filter sees it.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({ limit });
  return (req, res, next) => parse(req, res, (err?: unknown) => next(err === undefined ? undefined : bodyError(err)));
}

export function bodyError(err: unknown): unknown {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new BodyError('INVALID_JSON', 'request body is not valid JSON', false, { cause: err });
  if (type === 'entity.too.large') return new BodyError('BODY_TOO_LARGE', 'request body is too large', false, { cause: err });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new BodyError('UNSUPPORTED_ENCODING', 'unsupported body encoding', false, { cause: err });
  return err;
}
