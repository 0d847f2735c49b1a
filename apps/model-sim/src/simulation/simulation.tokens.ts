export const SIM_CONFIG = Symbol('SIM_CONFIG');
