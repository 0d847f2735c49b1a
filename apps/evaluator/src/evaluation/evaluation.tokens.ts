/** The bearer token that guards the evaluation read endpoints (from config). */
export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');
