import type { Provider } from '@nestjs/common';
import { ApiKeyAuthenticator, AUTH_SETTINGS, type AuthSettings } from './api-key.authenticator';
import { ApiKeyGuard } from './auth.guard';
import { KeyRevocationListener } from './key-revocation.listener';
import { TenantDirectory } from './tenant-directory';
import { TenantRepository } from './tenant.repository';

/**
 * What a service with a tenant-facing HTTP API registers (next to DbModule and RedisModule): API keys resolved
 * against the tenant directory in Postgres, cached briefly, dropped at once when the ledger revokes a key.
 */
export function tenantAuthProviders(settings: AuthSettings): Provider[] {
  return [{ provide: AUTH_SETTINGS, useValue: settings }, { provide: TenantDirectory, useClass: TenantRepository }, ApiKeyAuthenticator, ApiKeyGuard, KeyRevocationListener];
}
