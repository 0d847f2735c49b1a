import type { ChatCompletion, ChatRequestBody, RouteTarget, Usage } from '@llm/contracts';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { InferenceError } from '../inference.errors';
import type { ProviderRegistry } from './provider-registry';

type FinishReason = ChatCompletion['choices'][number]['finish_reason'];

export interface CallOptions {
  stream: boolean;
  onDelta?: (content: string, index: number) => Promise<void>;
}

export interface CallResult {
  completion: ChatCompletion;
  usage: Usage;
}

/** Calls one deployment through the official OpenAI SDK and maps its failures to domain errors. */
export class OpenAiCompatibleAdapter {
  constructor(private readonly providers: ProviderRegistry) {}

  async call(target: RouteTarget, body: ChatRequestBody, options: CallOptions): Promise<CallResult> {
    const client = this.providers.client(target.provider);
    const { stream: _s, user: _u, ...params } = body;
    const request = { ...params, model: target.deployment } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
    try {
      if (!options.stream) {
        const completion = (await client.chat.completions.create(request, { timeout: target.timeout_ms })) as unknown as ChatCompletion;
        return { completion, usage: completion.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } };
      }
      return await this.stream(client, target, request, options);
    } catch (err) {
      throw toInferenceError(err, target);
    }
  }

  private async stream(client: OpenAI, target: RouteTarget, request: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, options: CallOptions): Promise<CallResult> {
    const chunks = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }, { timeout: target.timeout_ms });
    let content = '';
    let index = 0;
    let finish: FinishReason = null;
    let usage: Usage | undefined;
    let id = '';
    let created = Math.floor(Date.now() / 1000);
    for await (const chunk of chunks) {
      id ||= chunk.id;
      created = chunk.created ?? created;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.finish_reason) finish = choice.finish_reason as FinishReason;
      const delta = choice.delta?.content;
      if (delta) {
        content += delta;
        await options.onDelta?.(delta, index++);
      }
    }
    const finalUsage = usage ?? { prompt_tokens: 0, completion_tokens: index, total_tokens: index };
    return {
      usage: finalUsage,
      completion: {
        id,
        object: 'chat.completion',
        created,
        model: target.deployment,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish ?? 'stop' }],
        usage: finalUsage,
      },
    };
  }
}

function toInferenceError(err: unknown, target: RouteTarget): InferenceError {
  const where = `${target.provider}/${target.deployment}`;
  if (err instanceof InferenceError) return err;
  if (err instanceof APIConnectionTimeoutError) return new InferenceError('PROVIDER_TIMEOUT', `${where} timed out after ${target.timeout_ms} ms`, true, { cause: err });
  if (err instanceof APIConnectionError) return new InferenceError('PROVIDER_UNAVAILABLE', `${where} is unreachable`, true, { cause: err });
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    if (status === 429) {
      const retryAfter = Number(err.headers?.get?.('retry-after'));
      return new InferenceError('PROVIDER_RATE_LIMITED', `${where} rate-limited the call`, true, { cause: err, retryAfterS: Number.isFinite(retryAfter) ? retryAfter : undefined });
    }
    if (status >= 500 || status === 408) return new InferenceError('PROVIDER_UNAVAILABLE', `${where} failed with ${status}`, true, { cause: err });
    return new InferenceError('PROVIDER_REJECTED', `${where} rejected the request with ${status}`, false, { cause: err });
  }
  return new InferenceError('PROVIDER_UNAVAILABLE', `${where} failed: ${(err as Error)?.message ?? 'unknown error'}`, true, { cause: err });
}
