import { z } from 'zod';
import { llmResultV1 } from './result.v1';

/**
 * What travels on a request's Redis Stream: token deltas, then exactly one terminal event carrying the result.
 * Sync, SSE and WebSocket callers read this stream; SSE resumes from the stream entry id (Last-Event-ID).
 * Deltas name the provider call that produced them. When a call fails after deltas went out and another call
 * starts over, a `reset` event comes first: readers discard what they showed of the earlier call.
 */
export const streamDelta = z.object({
  type: z.literal('delta'),
  index: z.number().int().min(0),
  content: z.string(),
  model: z.string().optional(),
  call_id: z.string().max(64).optional(),
});
export const streamReset = z.object({
  type: z.literal('reset'),
  /** The call whose deltas are void. */
  call_id: z.string().max(64),
  reason: z.string().max(512),
});
export const streamTerminal = z.object({ type: z.literal('terminal'), result: llmResultV1 });
export const streamEvent = z.discriminatedUnion('type', [streamDelta, streamReset, streamTerminal]);
export type StreamDelta = z.infer<typeof streamDelta>;
export type StreamReset = z.infer<typeof streamReset>;
export type StreamTerminal = z.infer<typeof streamTerminal>;
export type StreamEvent = z.infer<typeof streamEvent>;
