import type { Catalog } from '@llm/catalog';
import OpenAI from 'openai';
import { InferenceError } from '../inference.errors';

/**
 * One OpenAI SDK client per catalog provider, with its endpoint and key resolved from settings. The SDK's own
 * retries are off: retries, fallbacks and timeouts are the worker's decisions, made per target.
 */
export class ProviderRegistry {
  private readonly clients = new Map<string, OpenAI>();

  constructor(catalog: Catalog, settings: Readonly<Record<string, unknown>>) {
    for (const [name, provider] of Object.entries(catalog.providers)) {
      const baseURL = setting(settings, provider.base_url_setting) ?? provider.base_url;
      // Self-hosted OpenAI-compatible servers (vLLM, llama.cpp) accept any key; the SDK requires one.
      const apiKey = setting(settings, provider.api_key_setting) ?? 'not-needed';
      this.clients.set(name, new OpenAI({ baseURL, apiKey, maxRetries: 0 }));
    }
  }

  client(provider: string): OpenAI {
    const client = this.clients.get(provider);
    if (!client) throw new InferenceError('UNKNOWN_PROVIDER', `provider ${provider} is not in this worker's catalog`);
    return client;
  }
}

function setting(settings: Readonly<Record<string, unknown>>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = settings[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
