import { finishReason, logprobEntry, usage } from '@llm/contracts';
import { z } from 'zod';

/**
 * One chat.completion.chunk as a provider streams it. Checked before anything from it is streamed or charged:
 * a chunk that does not fit is a broken provider (PROVIDER_INVALID_RESPONSE), never a half-understood answer.
 */
export const chatCompletionChunk = z.object({
  id: z.string(),
  created: z.number().int(),
  model: z.string(),
  system_fingerprint: z.string().nullable().optional(),
  choices: z.array(
    z.object({
      index: z.number().int().min(0),
      delta: z
        .object({
          role: z.string().nullable().optional(),
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                index: z.number().int().min(0),
                id: z.string().nullable().optional(),
                type: z.literal('function').nullable().optional(),
                function: z.object({ name: z.string().nullable().optional(), arguments: z.string().nullable().optional() }).nullable().optional(),
              }),
            )
            .nullable()
            .optional(),
        })
        .default({}),
      finish_reason: finishReason.nullable().optional(),
      logprobs: z
        .object({ content: z.array(logprobEntry).nullable().optional(), refusal: z.array(logprobEntry).nullable().optional() })
        .nullable()
        .optional(),
    }),
  ),
  usage: usage.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunk>;
