import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@llm/errors';
import type { Request } from 'express';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

export class AdminAuthError extends DomainError<'UNAUTHORIZED'> {
  readonly kind = 'admin-auth';
}

/**
 * Permission decision for admin endpoints: allowed only with `Authorization: Bearer <ADMIN_TOKEN>`.
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
      throw new AdminAuthError('UNAUTHORIZED', 'a valid admin bearer token is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
