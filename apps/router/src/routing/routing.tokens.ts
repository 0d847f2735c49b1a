export const ROUTING_DATA = Symbol('ROUTING_DATA');
export const INFERENCE_BACKLOG = Symbol('INFERENCE_BACKLOG');
