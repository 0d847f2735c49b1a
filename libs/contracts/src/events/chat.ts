import { z } from 'zod';

/**
 * The OpenAI chat-completions request body as it travels between services. Known fields are validated and
 * bounded; unknown fields are stripped, so a new OpenAI parameter never breaks a caller, and never reaches a
 * provider unvetted.
 */
const MAX_CONTENT_CHARS = 1_000_000;

const textPart = z.object({ type: z.literal('text'), text: z.string().max(MAX_CONTENT_CHARS) });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().max(MAX_CONTENT_CHARS), detail: z.enum(['auto', 'low', 'high']).optional() }),
});

export const messageContent = z.union([z.string().max(MAX_CONTENT_CHARS), z.array(z.union([textPart, imagePart])).max(256)]);

const toolCall = z.object({
  id: z.string().max(256),
  type: z.literal('function'),
  function: z.object({ name: z.string().max(256), arguments: z.string().max(MAX_CONTENT_CHARS) }),
});

export const chatMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: messageContent, name: z.string().max(256).optional() }),
  z.object({ role: z.literal('developer'), content: messageContent, name: z.string().max(256).optional() }),
  z.object({ role: z.literal('user'), content: messageContent, name: z.string().max(256).optional() }),
  z.object({
    role: z.literal('assistant'),
    content: messageContent.nullable().optional(),
    name: z.string().max(256).optional(),
    tool_calls: z.array(toolCall).max(128).optional(),
  }),
  z.object({ role: z.literal('tool'), content: messageContent, tool_call_id: z.string().max(256) }),
]);
export type ChatMessage = z.infer<typeof chatMessage>;

const jsonObject = z.record(z.string(), z.unknown());

export const chatTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
    description: z.string().max(4096).optional(),
    parameters: jsonObject.optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

export const chatRequestBody = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(chatMessage).min(1).max(4096),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
  max_completion_tokens: z.number().int().positive().max(1_000_000).optional(),
  stop: z.union([z.string().max(256), z.array(z.string().max(256)).max(4)]).optional(),
  n: z.literal(1).optional(),
  seed: z.number().int().optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  tools: z.array(chatTool).max(128).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).optional(),
  response_format: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string().max(64), schema: jsonObject.optional(), strict: z.boolean().nullable().optional() }) }),
    ])
    .optional(),
  stream: z.boolean().optional(),
  user: z.string().max(256).optional(),
});
export type ChatRequestBody = z.infer<typeof chatRequestBody>;

export const usage = z.object({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
  /** Prompt tokens the provider served from its prefix cache (OpenAI, vLLM and llama.cpp report them here). */
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().min(0).optional() }).nullish(),
});
export type Usage = z.infer<typeof usage>;

export const finishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/** One token's log probability, as OpenAI-compatible servers return it. */
export const logprobEntry = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullable().optional(),
  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number().int()).nullable().optional() })).optional(),
});

/**
 * A source of a RAG answer (platform extension, beside `choices`): every source the model was shown, with its
 * citation number, the document it came from, and whether the answer cites it.
 */
export const citation = z.object({
  index: z.number().int().min(1),
  document_id: z.string().max(256),
  chunk_id: z.string().max(256),
  collection: z.string().max(64).optional(),
  title: z.string().max(256).optional(),
  score: z.number(),
  cited: z.boolean(),
});
export type Citation = z.infer<typeof citation>;

/** The OpenAI chat.completion response object, as returned to callers. */
export const chatCompletion = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z
    .array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          tool_calls: z.array(toolCall).optional(),
          refusal: z.string().nullable().optional(),
        }),
        finish_reason: finishReason.nullable(),
        logprobs: z
          .object({ content: z.array(logprobEntry).nullable() })
          .nullable()
          .optional(),
      }),
    )
    .min(1),
  usage: usage.optional(),
  system_fingerprint: z.string().nullable().optional(),
  /** Set on answers grounded by the retriever (requests with RAG). */
  citations: z.array(citation).max(100).optional(),
});
export type ChatCompletion = z.infer<typeof chatCompletion>;
