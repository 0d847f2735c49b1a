export const SYNC_TIMEOUT_MS = Symbol('SYNC_TIMEOUT_MS');
