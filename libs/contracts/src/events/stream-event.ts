import { z } from 'zod';
import { llmResultV1 } from './result.v1';

/**
 * What travels on a request's Redis Stream: token deltas, then exactly one terminal event carrying the result.
 * Sync, SSE and WebSocket callers read this stream; SSE resumes from the stream entry id (Last-Event-ID).
 */
export const streamDelta = z.object({
  type: z.literal('delta'),
  index: z.number().int().min(0),
  content: z.string(),
  model: z.string().optional(),
});
export const streamTerminal = z.object({ type: z.literal('terminal'), result: llmResultV1 });
export const streamEvent = z.discriminatedUnion('type', [streamDelta, streamTerminal]);
export type StreamDelta = z.infer<typeof streamDelta>;
export type StreamTerminal = z.infer<typeof streamTerminal>;
export type StreamEvent = z.infer<typeof streamEvent>;
