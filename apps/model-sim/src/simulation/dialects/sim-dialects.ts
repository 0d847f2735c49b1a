/**
 * The hosts model-sim can pretend to be, as data: where each one serves chat completions, how it wants the
 * key, what it refuses, and what its errors look like. vLLM is the default, at the root (`/v1`); every other
 * dialect lives under its own prefix, with that host's real path below it (e.g. `/azure/openai/deployments/…`).
 * Sources: each host's OpenAI-compatibility documentation and, for the self-hosted servers, their source.
 */
export const SIM_DIALECT_IDS = ['vllm', 'llamacpp', 'tgi', 'ollama', 'openai', 'azure', 'anthropic', 'gemini', 'groq', 'together', 'openrouter'] as const;
export type SimDialectId = (typeof SIM_DIALECT_IDS)[number];

export type AuthRule =
  /** `Authorization: Bearer`, checked only when model-sim has SIM_API_KEY (like `--api-key` on a self-hosted server). */
  | 'bearer-if-configured'
  | 'bearer'
  /** Anthropic takes its key as `x-api-key` or as a bearer token. */
  | 'bearer-or-x-api-key'
  /** Azure: the `api-key` header. */
  | 'api-key'
  | 'none';

export type ErrorShape = 'vllm' | 'openai' | 'llamacpp' | 'tgi' | 'azure' | 'anthropic' | 'gemini' | 'openrouter';

export interface SimDialect {
  id: SimDialectId;
  /** Chat completions route (Nest path syntax). */
  chatPath: string;
  /** Model list route; absent where the host has none at that base. */
  modelsPath?: string;
  auth: AuthRule;
  errors: ErrorShape;
  /** Status of a request that fails validation (TGI answers 422, everyone else 400). */
  validationStatus: 400 | 422;
  /** Parameters outside OpenAI's list are refused (OpenAI, Azure, Gemini, Groq) instead of ignored. */
  strictFields: boolean;
  /** One model per server: `model` is not checked (llama.cpp server, TGI). */
  ignoresModel: boolean;
  /** vLLM serves its only model when `model` is missing. */
  modelOptional: boolean;
  /** The deployment comes from the path; `model` in the body is ignored (Azure). */
  deploymentInPath: boolean;
  /** Query parameters without which the route does not exist (Azure's api-version). */
  requiredQuery: readonly string[];
  maxTemperature?: number;
  /** Most choices one request may ask for. */
  maxN: number;
  /** Parameters the host refuses with a 400. */
  unsupported: readonly string[];
  /** Parameters the host accepts and ignores (the answer is as if they were absent). */
  ignored: readonly string[];
  /** vLLM's extra parameters (priority, structured_outputs, guided_json) are understood. */
  vllmExtras: boolean;
  /**
   * Azure's content filter annotations: `prompt_filter_results` on the answer and a first stream chunk with no
   * choices, empty id and model; `content_filter_results` on every choice.
   */
  contentFilter: boolean;
}

const base = {
  auth: 'bearer',
  validationStatus: 400,
  strictFields: false,
  ignoresModel: false,
  modelOptional: false,
  deploymentInPath: false,
  requiredQuery: [],
  maxN: 16,
  unsupported: [],
  ignored: [],
  vllmExtras: false,
  contentFilter: false,
} as const;

export const SIM_DIALECTS: Readonly<Record<SimDialectId, SimDialect>> = {
  vllm: { ...base, id: 'vllm', chatPath: 'v1/chat/completions', modelsPath: 'v1/models', auth: 'bearer-if-configured', errors: 'vllm', modelOptional: true, vllmExtras: true },
  llamacpp: {
    ...base,
    id: 'llamacpp',
    chatPath: 'llamacpp/v1/chat/completions',
    modelsPath: 'llamacpp/v1/models',
    auth: 'bearer-if-configured',
    errors: 'llamacpp',
    ignoresModel: true,
    maxN: 1,
  },
  tgi: {
    ...base,
    id: 'tgi',
    chatPath: 'tgi/v1/chat/completions',
    modelsPath: 'tgi/v1/models',
    auth: 'bearer-if-configured',
    errors: 'tgi',
    validationStatus: 422,
    ignoresModel: true,
    maxN: 1,
  },
  ollama: { ...base, id: 'ollama', chatPath: 'ollama/v1/chat/completions', modelsPath: 'ollama/v1/models', auth: 'none', errors: 'openai' },
  openai: { ...base, id: 'openai', chatPath: 'openai/v1/chat/completions', modelsPath: 'openai/v1/models', errors: 'openai', strictFields: true, maxN: 128 },
  azure: {
    ...base,
    id: 'azure',
    chatPath: 'azure/openai/deployments/:deployment/chat/completions',
    auth: 'api-key',
    errors: 'azure',
    strictFields: true,
    deploymentInPath: true,
    requiredQuery: ['api-version'],
    maxN: 128,
    contentFilter: true,
  },
  anthropic: {
    ...base,
    id: 'anthropic',
    chatPath: 'anthropic/v1/chat/completions',
    modelsPath: 'anthropic/v1/models',
    auth: 'bearer-or-x-api-key',
    errors: 'anthropic',
    maxTemperature: 1,
    maxN: 1,
    ignored: ['response_format', 'logprobs', 'top_logprobs', 'seed', 'presence_penalty', 'frequency_penalty'],
  },
  gemini: { ...base, id: 'gemini', chatPath: 'gemini/v1beta/openai/chat/completions', modelsPath: 'gemini/v1beta/openai/models', errors: 'gemini', strictFields: true, maxN: 8 },
  groq: {
    ...base,
    id: 'groq',
    chatPath: 'groq/openai/v1/chat/completions',
    modelsPath: 'groq/openai/v1/models',
    errors: 'openai',
    strictFields: true,
    maxN: 1,
    unsupported: ['logprobs', 'top_logprobs', 'logit_bias'],
  },
  together: { ...base, id: 'together', chatPath: 'together/v1/chat/completions', modelsPath: 'together/v1/models', errors: 'openai' },
  openrouter: { ...base, id: 'openrouter', chatPath: 'openrouter/api/v1/chat/completions', modelsPath: 'openrouter/api/v1/models', errors: 'openrouter' },
};

export const CHAT_PATHS = SIM_DIALECT_IDS.map((id) => SIM_DIALECTS[id].chatPath);
export const MODELS_PATHS = SIM_DIALECT_IDS.flatMap((id) => SIM_DIALECTS[id].modelsPath ?? []);

/** The dialect a request path belongs to: the first path segment names it, anything else is vLLM at the root. */
export function dialectOfPath(path: string): SimDialect {
  const first = path.replace(/^\/+/, '').split('/')[0] ?? '';
  return (SIM_DIALECT_IDS as readonly string[]).includes(first) && first !== 'vllm' ? SIM_DIALECTS[first as SimDialectId] : SIM_DIALECTS.vllm;
}
