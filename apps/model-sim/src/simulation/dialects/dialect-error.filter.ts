import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SimulationError } from '../simulation.errors';
import { renderSimError } from './dialect-errors';
import { dialectOfPath } from './sim-dialects';

/** Answers model-sim's refusals in the error shape of the host the request's path pretends to reach. */
@Catch(SimulationError)
export class DialectErrorFilter implements ExceptionFilter<SimulationError> {
  catch(err: SimulationError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, body } = renderSimError(dialectOfPath(req.path), err);
    if (err.retryAfterS !== undefined) res.setHeader('Retry-After', String(err.retryAfterS));
    res.status(status).json(body);
  }
}
