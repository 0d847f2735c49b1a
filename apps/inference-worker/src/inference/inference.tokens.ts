export const MAX_ATTEMPTS = Symbol('MAX_ATTEMPTS');
