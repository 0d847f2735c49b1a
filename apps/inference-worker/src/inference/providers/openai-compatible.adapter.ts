import { bandOf, type ChatRequestBody, type Priority, type RouteTarget } from '@llm/contracts';
import OpenAI from 'openai';
import { InferenceError } from '../inference.errors';
import type { ProviderEndpoint, ProviderRegistry } from './provider-registry';

export interface CallTransport {
  /** Aborts the call, headers and body alike: the SDK's own timeout stops applying once headers arrive. */
  signal: AbortSignal;
  /** Sent as x-llm-call-id so the provider's bill names the call (`<tenant>/<request_id>/<call_id>`). */
  callId: string;
  /** Upper bound handed to the SDK too, for the part it does cover (connect and headers). */
  timeoutMs: number;
  /** The request's priority band, for hosts that schedule by it (vLLM with priority scheduling). */
  priority?: Priority;
}

/** The request as one host accepts it: the SDK's parameters plus any extra body fields of that host. */
type DialectParams = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;

/**
 * Calls one deployment through the official OpenAI SDK, in the dialect its catalog provider names
 * (dialects/provider-dialects.ts). Returns what the provider sent, unvalidated: the call runner checks it
 * against the contract before anything is streamed or charged.
 */
export class OpenAiCompatibleAdapter {
  constructor(private readonly providers: ProviderRegistry) {}

  async complete(target: RouteTarget, body: ChatRequestBody, transport: CallTransport): Promise<unknown> {
    const endpoint = this.providers.endpoint(target.provider);
    return endpoint.client.chat.completions.create(this.params(endpoint, target, body, transport), this.options(transport)).catch((err: unknown) => rethrow(endpoint, err));
  }

  /** Resolves when the response headers arrived; the chunks follow through the iterable. */
  async stream(target: RouteTarget, body: ChatRequestBody, transport: CallTransport): Promise<AsyncIterable<unknown>> {
    const endpoint = this.providers.endpoint(target.provider);
    return endpoint.client.chat.completions
      .create({ ...this.params(endpoint, target, body, transport), stream: true, stream_options: { include_usage: true } }, this.options(transport))
      .catch((err: unknown) => rethrow(endpoint, err));
  }

  /** The body for this host: its refused parameters left out, its limits applied, vLLM's extras where enabled. */
  params(endpoint: ProviderEndpoint, target: RouteTarget, body: ChatRequestBody, transport: Pick<CallTransport, 'priority'>): DialectParams {
    const { spec, provider } = endpoint;
    const { stream: _s, user: _u, ...rest } = body;
    // The contract's body is a validated subset of the SDK's parameters.
    const params = { ...rest, model: target.deployment } as DialectParams;
    for (const name of spec.drop) delete params[name];
    if (spec.maxTemperature !== undefined && typeof params.temperature === 'number') params.temperature = Math.min(params.temperature, spec.maxTemperature);
    if (!spec.vllmExtras) return params;
    // vLLM serves lower values first; the bands are in that order already (realtime-paid 0, batch 2).
    if (provider.priority_scheduling && transport.priority !== undefined) params['priority'] = bandOf(transport.priority);
    const format = body.response_format;
    if (provider.guided_decoding && format?.type === 'json_schema' && format.json_schema.schema) {
      // Guided decoding constrains the tokens themselves; response_format is left out so the schema is applied once.
      delete params.response_format;
      if (provider.guided_decoding === 'structured_outputs') params['structured_outputs'] = { json: format.json_schema.schema };
      else params['guided_json'] = format.json_schema.schema;
    }
    return params;
  }

  private options(transport: CallTransport): OpenAI.RequestOptions {
    return { signal: transport.signal, timeout: transport.timeoutMs, headers: { 'x-llm-call-id': transport.callId } };
  }
}

/**
 * Google answers a bad key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID), which would otherwise read as the
 * caller's bad request: it is our configuration. Everything else goes to the classifier as the SDK raised it.
 */
function rethrow(endpoint: ProviderEndpoint, err: unknown): never {
  if (endpoint.provider.dialect === 'gemini' && err instanceof OpenAI.APIError && err.status === 400 && /API key not valid|API_KEY_INVALID/.test(err.message))
    throw new InferenceError('PROVIDER_MISCONFIGURED', `${endpoint.name} refused our key`, false, { cause: err });
  throw err;
}
