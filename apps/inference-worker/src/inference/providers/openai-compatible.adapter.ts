import type { ChatRequestBody, RouteTarget } from '@llm/contracts';
import type OpenAI from 'openai';
import type { ProviderRegistry } from './provider-registry';

export interface CallTransport {
  /** Aborts the call, headers and body alike: the SDK's own timeout stops applying once headers arrive. */
  signal: AbortSignal;
  /** Sent as x-llm-call-id so the provider's bill names the call (`<tenant>/<request_id>/<call_id>`). */
  callId: string;
  /** Upper bound handed to the SDK too, for the part it does cover (connect and headers). */
  timeoutMs: number;
}

/**
 * Calls one deployment through the official OpenAI SDK. Returns what the provider sent, unvalidated: the call
 * runner checks it against the contract before anything is streamed or charged.
 */
export class OpenAiCompatibleAdapter {
  constructor(private readonly providers: ProviderRegistry) {}

  async complete(target: RouteTarget, body: ChatRequestBody, transport: CallTransport): Promise<unknown> {
    return this.providers.client(target.provider).chat.completions.create(this.params(target, body), this.options(transport));
  }

  /** Resolves when the response headers arrived; the chunks follow through the iterable. */
  async stream(target: RouteTarget, body: ChatRequestBody, transport: CallTransport): Promise<AsyncIterable<unknown>> {
    return this.providers
      .client(target.provider)
      .chat.completions.create({ ...this.params(target, body), stream: true, stream_options: { include_usage: true } }, this.options(transport));
  }

  private params(target: RouteTarget, body: ChatRequestBody): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
    const { stream: _s, user: _u, ...params } = body;
    // The contract's body is a validated subset of the SDK's parameters.
    return { ...params, model: target.deployment } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
  }

  private options(transport: CallTransport): OpenAI.RequestOptions {
    return { signal: transport.signal, timeout: transport.timeoutMs, headers: { 'x-llm-call-id': transport.callId } };
  }
}
