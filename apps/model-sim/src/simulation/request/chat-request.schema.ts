import { z } from 'zod';

/**
 * The chat-completions body as vLLM's OpenAI server parses it: known fields are typed and bounded, unknown
 * fields pass (vLLM logs and ignores them; stricter hosts reject them in their dialect check), and the roles
 * are the OpenAI ones.
 */
export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

const jsonObject = z.record(z.string(), z.unknown());

const tool = z.object({
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(64), description: z.string().optional(), parameters: jsonObject.optional(), strict: z.boolean().nullish() }),
});

export const chatRequestSchema = z
  .object({
    model: z.string().min(1).max(256).optional(),
    messages: z
      .array(z.object({ role: z.enum(CHAT_ROLES), content: z.unknown().optional() }).passthrough())
      .min(1)
      .max(4096),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    n: z.number().int().min(1).max(16).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
    seed: z.number().int().nullish(),
    temperature: z.number().min(0).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    tools: z.array(tool).max(128).nullish(),
    tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).nullish(),
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.object({ name: z.string().max(64), schema: jsonObject.optional(), strict: z.boolean().nullish() }).passthrough(),
        }),
      ])
      .nullish(),
    // vLLM's own extra parameters.
    priority: z.number().int().nullish(),
    structured_outputs: z
      .object({ json: z.union([jsonObject, z.string()]).nullish(), json_object: z.boolean().nullish() })
      .passthrough()
      .nullish(),
    guided_json: z.union([jsonObject, z.string()]).nullish(),
  })
  .passthrough();
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** The OpenAI chat-completions parameters: hosts that reject unknown ones accept exactly these. */
export const OPENAI_CHAT_FIELDS = new Set([
  'model',
  'messages',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'reasoning_effort',
  'response_format',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'web_search_options',
]);

/** What the answer must look like, from response_format or vLLM's structured-output parameters. */
export type OutputFormat = { kind: 'text' } | { kind: 'json_object' } | { kind: 'json_schema'; schema: unknown };

export function outputFormatOf(body: ChatRequest): OutputFormat {
  const guided = body.structured_outputs?.json ?? body.guided_json;
  if (guided !== undefined && guided !== null) return { kind: 'json_schema', schema: typeof guided === 'string' ? JSON.parse(guided) : guided };
  if (body.structured_outputs?.json_object) return { kind: 'json_object' };
  const format = body.response_format;
  if (format?.type === 'json_schema') return { kind: 'json_schema', schema: format.json_schema.schema ?? {} };
  if (format?.type === 'json_object') return { kind: 'json_object' };
  return { kind: 'text' };
}
