import { Inject, Injectable } from '@nestjs/common';
import { hashApiKey } from '@llm/db';
import { AuthError } from './auth.errors';
import type { Principal } from './principal';
import { TenantDirectory } from './tenant-directory';

const MAX_CACHED = 10_000;

/** How long an answer about a key is cached (a revoked key works at most this long if its revocation message is lost). */
export interface AuthSettings {
  AUTH_CACHE_TTL_MS: number;
}
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/**
 * Resolves `Authorization: Bearer <key>` to a principal. Keys are compared by SHA-256 hash (the database never
 * holds a secret). Answers, including "unknown key", are cached briefly so a flood of bad keys cannot turn
 * into a flood of database queries.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { principal?: Principal & { active: boolean }; until: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly directory: TenantDirectory,
    @Inject(AUTH_SETTINGS) config: AuthSettings,
  ) {
    this.ttlMs = config.AUTH_CACHE_TTL_MS;
  }

  /** Drops a key's cached answer (it was revoked): the next use asks the directory again. */
  forget(keyHash: string): void {
    this.cache.delete(keyHash);
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S{8,256})\s*$/i.exec(authorization ?? '');
    if (!match) throw new AuthError(authorization ? 'INVALID_API_KEY' : 'MISSING_API_KEY', 'provide an API key as `Authorization: Bearer <key>`');
    const hash = hashApiKey(match[1]!);
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
