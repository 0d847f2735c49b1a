import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { EvaluatorError } from '../evaluation.errors';
import { ADMIN_TOKEN } from '../evaluation.tokens';

/**
 * Permission decision for the admin endpoints: allowed only with `Authorization: Bearer <ADMIN_TOKEN>`.
 * Both sides are hashed to a fixed length first, so the comparison is constant-time and leaks no length.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_TOKEN) adminToken: string) {
    this.expected = digest(adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
    if (!match || !timingSafeEqual(digest(match[1]!), this.expected)) {
      throw new EvaluatorError('UNAUTHORIZED', 'a valid admin bearer token is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
