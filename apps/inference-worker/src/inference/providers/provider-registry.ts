import type { Catalog, CatalogProvider } from '@llm/catalog';
import OpenAI, { AzureOpenAI } from 'openai';
import { InferenceError } from '../inference.errors';
import { dialectSpec, type DialectSpec } from './dialects/provider-dialects';

/** One catalog provider, ready to call: its SDK client and the dialect rules the adapter applies. */
export interface ProviderEndpoint {
  name: string;
  provider: CatalogProvider;
  spec: DialectSpec;
  client: OpenAI;
  /** The dialect needs a key and none is configured: calls fail as our misconfiguration, without a request. */
  missingKey: boolean;
}

/**
 * One OpenAI SDK client per catalog provider, built the way its dialect needs (AzureOpenAI for Azure), with its
 * endpoint and key resolved from settings. The SDK's own retries are off: retries, fallbacks and timeouts are the
 * worker's decisions, made per target.
 */
export class ProviderRegistry {
  private readonly endpoints = new Map<string, ProviderEndpoint>();

  constructor(catalog: Catalog, settings: Readonly<Record<string, unknown>>) {
    for (const [name, provider] of Object.entries(catalog.providers)) {
      const spec = dialectSpec(provider.dialect);
      const baseURL = setting(settings, provider.base_url_setting) ?? provider.base_url;
      const key = setting(settings, provider.api_key_setting);
      // Self-hosted servers started without --api-key accept any key; the SDK requires one.
      const apiKey = key ?? 'not-needed';
      const client =
        spec.client === 'azure' ? new AzureOpenAI({ baseURL, apiKey, apiVersion: provider.api_version, maxRetries: 0 }) : new OpenAI({ baseURL, apiKey, maxRetries: 0 });
      this.endpoints.set(name, { name, provider, spec, client, missingKey: spec.keyRequired && key === undefined });
    }
  }

  endpoint(provider: string): ProviderEndpoint {
    const endpoint = this.endpoints.get(provider);
    if (!endpoint) throw new InferenceError('UNKNOWN_PROVIDER', `provider ${provider} is not in this worker's catalog`);
    if (endpoint.missingKey)
      throw new InferenceError('PROVIDER_MISCONFIGURED', `provider ${provider} needs a key and ${endpoint.provider.api_key_setting ?? 'no api_key_setting'} is not set`);
    return endpoint;
  }

  client(provider: string): OpenAI {
    return this.endpoint(provider).client;
  }
}

function setting(settings: Readonly<Record<string, unknown>>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = settings[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
