import type { ProviderDialect } from '@llm/catalog';
import type { ChatRequestBody } from '@llm/contracts';

/**
 * What differs between OpenAI-compatible hosts, as data: one row per dialect a catalog provider may name. The
 * adapter and the registry read these rows; a new host with known quirks is a row here, an ordinary one is
 * only a catalog entry. Sources: each host's OpenAI-compatibility documentation.
 */
export interface DialectSpec {
  /**
   * `openai`: the SDK's OpenAI client, key as `Authorization: Bearer`. `azure`: the SDK's AzureOpenAI client,
   * which puts the deployment in the path (`/openai/deployments/{deployment}/…`), the api-version in the query
   * and the key in the `api-key` header.
   */
  client: 'openai' | 'azure';
  /** The host refuses calls without a key: a missing one is a configuration error found at boot. */
  keyRequired: boolean;
  /** Parameters the host refuses (Groq: logprobs) or that mean nothing there: left out of the request. */
  drop: ReadonlyArray<keyof ChatRequestBody>;
  /** Highest temperature the host accepts (Anthropic: 1); higher ones are clamped. */
  maxTemperature?: number;
  /** vLLM's extra body parameters (priority, guided decoding) may be sent, where the provider enables them. */
  vllmExtras: boolean;
}

const row = (spec: Partial<DialectSpec>): DialectSpec => ({ client: 'openai', keyRequired: true, drop: [], vllmExtras: false, ...spec });

export const PROVIDER_DIALECT_SPECS: Readonly<Record<ProviderDialect, DialectSpec>> = {
  // Self-hosted servers: a key only when they were started with one.
  vllm: row({ keyRequired: false, vllmExtras: true }),
  llamacpp: row({ keyRequired: false }),
  tgi: row({ keyRequired: false }),
  ollama: row({ keyRequired: false }),
  openai: row({}),
  azure: row({ client: 'azure' }),
  // Anthropic's compatibility layer caps temperature at 1 and ignores logprobs and response_format.
  anthropic: row({ maxTemperature: 1, drop: ['logprobs', 'top_logprobs'] }),
  gemini: row({}),
  // Groq refuses logprobs, top_logprobs and logit_bias with a 400.
  groq: row({ drop: ['logprobs', 'top_logprobs'] }),
  together: row({}),
  openrouter: row({}),
};

export function dialectSpec(dialect: ProviderDialect | undefined): DialectSpec {
  return PROVIDER_DIALECT_SPECS[dialect ?? 'vllm'];
}
