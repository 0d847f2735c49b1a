import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuthError } from './auth.errors';
import type { Principal } from './principal';
import { TenantDirectory } from './tenant-directory';

export const AUTH_CACHE_TTL_MS = Symbol('AUTH_CACHE_TTL_MS');

const MAX_CACHED = 10_000;

/**
 * Resolves `Authorization: Bearer <key>` to a principal. Keys are compared by SHA-256 hash (the database never
 * holds a secret). Answers, including "unknown key", are cached briefly so a flood of bad keys cannot turn
 * into a flood of database queries.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { principal?: Principal & { active: boolean }; until: number }>();

  constructor(
    private readonly directory: TenantDirectory,
    @Inject(AUTH_CACHE_TTL_MS) private readonly ttlMs: number,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S{8,256})\s*$/i.exec(authorization ?? '');
    if (!match) throw new AuthError(authorization ? 'INVALID_API_KEY' : 'MISSING_API_KEY', 'provide an API key as `Authorization: Bearer <key>`');
    const hash = createHash('sha256').update(match[1]!).digest('hex');
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.until < now) {
      entry = { principal: await this.directory.findPrincipal(hash), until: now + this.ttlMs };
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(hash, entry);
    }
    if (!entry.principal) throw new AuthError('INVALID_API_KEY', 'invalid API key');
    if (!entry.principal.active) throw new AuthError('TENANT_SUSPENDED', 'this tenant is suspended');
    const { active: _a, ...principal } = entry.principal;
    return principal;
  }
}
