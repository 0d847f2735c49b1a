export { ApiKeyAuthenticator, AUTH_SETTINGS, type AuthSettings } from './api-key.authenticator';
export { ApiKeyGuard, CurrentPrincipal } from './auth.guard';
export { AuthError, type AuthErrorCode } from './auth.errors';
export { KeyRevocationListener } from './key-revocation.listener';
export type { Principal, TenantRecord } from './principal';
export { TenantDirectory } from './tenant-directory';
export { TenantRepository } from './tenant.repository';
export { tenantAuthProviders } from './tenant-auth.providers';
