import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { PRISMA, type PrismaClient } from '@llm/db';
import type { Request } from 'express';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../../config/cost-ledger.config';
import { AdminError } from '../admin.errors';
import type { AdminPrincipal, AdminRole } from './admin-principal';

type AdminRequest = Request & { admin?: AdminPrincipal };

const sha256 = (v: string) => createHash('sha256').update(v).digest();

/**
 * Permission decision of every admin route: `Authorization: Bearer <token>`, either the bootstrap ADMIN_TOKEN
 * (a platform admin, to create the first tokens) or an admin token from the database (hashed, revocable, with
 * its role and tenant). Looked up on every call, so a revoked admin token stops at once.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly bootstrap: Buffer;

  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(COST_LEDGER_CONFIG) config: CostLedgerConfig,
  ) {
    this.bootstrap = sha256(config.ADMIN_TOKEN);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    const match = /^Bearer (\S{16,256})$/.exec(req.headers.authorization ?? '');
    if (!match) throw new AdminError('ADMIN_UNAUTHORIZED', 'a valid admin bearer token is required');
    const digest = sha256(match[1]!);
    if (timingSafeEqual(digest, this.bootstrap)) {
      req.admin = { actor: 'bootstrap', role: 'platform_admin', tenantId: null };
      return true;
    }
    const token = await this.prisma.adminToken.findUnique({ where: { tokenHash: digest.toString('hex') } });
    if (!token || token.revokedAt) throw new AdminError('ADMIN_UNAUTHORIZED', 'a valid admin bearer token is required');
    req.admin = { actor: `token:${token.id}`, role: token.role as AdminRole, tenantId: token.tenantId };
    return true;
  }
}

export const CurrentAdmin = createParamDecorator((_: unknown, context: ExecutionContext): AdminPrincipal => {
  const admin = context.switchToHttp().getRequest<AdminRequest>().admin;
  if (!admin) throw new Error('CurrentAdmin used on a route without AdminAuthGuard');
  return admin;
});
