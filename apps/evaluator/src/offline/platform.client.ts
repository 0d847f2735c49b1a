import type { Catalog } from '@llm/catalog';
import type { ChatRequestBody } from '@llm/contracts';
import { callCostMicros } from '@llm/tokens';
import OpenAI from 'openai';

export interface PlatformAnswer {
  content: string | null;
  refusal: string | null;
  /** The model that answered (after routing and fallback). */
  model: string | null;
  requestId: string | null;
  latencyMs: number;
  costMicros: number;
  error?: string;
}

/**
 * The platform's OpenAI-compatible API, as any caller sees it (the official `openai` client): offline suites and
 * shadow replay go through the real pipeline. The exact cache is bypassed (`x-llm-cache: off`) so every run asks
 * a model; cost is priced from the answer's usage with the catalog's prices of the model that answered.
 */
export class PlatformClient {
  private readonly client: OpenAI;

  constructor(
    options: { baseUrl: string; apiKey: string; timeoutMs?: number },
    private readonly catalog: Catalog,
  ) {
    this.client = new OpenAI({ baseURL: `${options.baseUrl.replace(/\/$/, '')}/v1`, apiKey: options.apiKey, maxRetries: 2, timeout: options.timeoutMs ?? 120_000 });
  }

  async complete(body: ChatRequestBody, meta: { feature: string; priority: 'realtime' | 'batch' }): Promise<PlatformAnswer> {
    const started = performance.now();
    try {
      const { data, response } = await this.client.chat.completions
        .create(
          { ...(body as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming), stream: false },
          { headers: { 'x-feature': meta.feature, 'x-priority': meta.priority, 'x-llm-cache': 'off' } },
        )
        .withResponse();
      const latencyMs = Math.round(performance.now() - started);
      const message = data.choices[0]?.message;
      return {
        content: message?.content ?? null,
        refusal: message?.refusal ?? null,
        model: data.model ?? null,
        requestId: response.headers.get('x-request-id'),
        latencyMs,
        costMicros: this.costOf(data.model, data.usage),
      };
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      const error = err instanceof OpenAI.APIError ? `${err.status ?? 'no status'} ${err.code ?? err.type ?? ''}`.trim() : err instanceof Error ? err.message : String(err);
      return { content: null, refusal: null, model: null, requestId: null, latencyMs, costMicros: 0, error: error.slice(0, 200) };
    }
  }

  private costOf(model: string | undefined, usage: OpenAI.CompletionUsage | undefined): number {
    const entry = this.catalog.models.find((m) => m.id === model);
    if (!entry || !usage) return 0;
    return callCostMicros(
      { tokensIn: usage.prompt_tokens, cachedIn: usage.prompt_tokens_details?.cached_tokens ?? 0, tokensOut: usage.completion_tokens },
      {
        inPerMtok: entry.price_in_micros_per_mtok,
        outPerMtok: entry.price_out_micros_per_mtok,
        ...(entry.price_cached_in_micros_per_mtok !== undefined ? { cachedInPerMtok: entry.price_cached_in_micros_per_mtok } : {}),
      },
    );
  }
}
