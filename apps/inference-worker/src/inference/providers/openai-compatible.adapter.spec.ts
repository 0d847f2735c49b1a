import { parseCatalog } from '@llm/catalog';
import type { ChatRequestBody, RouteTarget } from '@llm/contracts';
import { OpenAiCompatibleAdapter } from './openai-compatible.adapter';
import { ProviderRegistry } from './provider-registry';

const schema = { type: 'object', properties: { a: { type: 'string' } } };
const body: ChatRequestBody = {
  model: 'caller-name',
  messages: [{ role: 'user', content: 'x' }],
  temperature: 1.8,
  logprobs: true,
  top_logprobs: 2,
  user: 'u-1',
  stream: true,
  response_format: { type: 'json_schema', json_schema: { name: 's', schema } },
};
const provider = (extra: object) => ({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', api_key_setting: 'K', ...extra });
const registry = new ProviderRegistry(
  parseCatalog({
    providers: {
      paid: provider({ dialect: 'vllm', priority_scheduling: true, guided_decoding: 'structured_outputs' }),
      plain: provider({}),
      groq: provider({ dialect: 'groq' }),
      anthropic: provider({ dialect: 'anthropic' }),
      azure: provider({ dialect: 'azure', api_version: '2024-10-21' }),
      keyless: { kind: 'openai-compatible', dialect: 'openai', base_url: 'http://127.0.0.1:1/v1' },
    },
    models: [{ id: 'm', provider: 'plain', deployment: 'd', tier: 'small', context_window: 1, price_in_micros_per_mtok: 0, price_out_micros_per_mtok: 0 }],
    routes: { default: ['m'] },
  }),
  { K: 'key' },
);
const adapter = new OpenAiCompatibleAdapter(registry);
const target = (p: string): RouteTarget => ({ model: 'm', provider: p, deployment: 'the-deployment', price_in_micros_per_mtok: 0, price_out_micros_per_mtok: 0, timeout_ms: 1 });
const params = (p: string, priority?: 'realtime-paid' | 'realtime-free' | 'batch') => adapter.params(registry.endpoint(p), target(p), body, { priority });

describe('OpenAiCompatibleAdapter dialect rules', () => {
  it('names the deployment, never forwards the caller’s user id or stream flag', () => {
    expect(params('plain')).toMatchObject({ model: 'the-deployment', temperature: 1.8, logprobs: true });
    expect(params('plain')).not.toHaveProperty('user');
    expect(params('plain')).not.toHaveProperty('stream');
  });

  it('sends vLLM the priority band and the schema as guided decoding where the provider enables them', () => {
    expect(params('paid', 'realtime-paid')).toMatchObject({ priority: 0, structured_outputs: { json: schema } });
    expect(params('paid', 'batch')).toMatchObject({ priority: 2 });
    expect(params('paid', 'realtime-free')).not.toHaveProperty('response_format');
    expect(params('paid')).not.toHaveProperty('priority');
    expect(params('plain')).not.toHaveProperty('priority');
    expect(params('plain')).toHaveProperty('response_format');
  });

  it('leaves out what a host refuses and clamps what it caps', () => {
    expect(params('groq')).not.toHaveProperty('logprobs');
    expect(params('groq')).not.toHaveProperty('top_logprobs');
    expect(params('anthropic')).toMatchObject({ temperature: 1 });
    expect(params('azure')).toMatchObject({ model: 'the-deployment', temperature: 1.8 });
  });

  it('refuses a host that needs a key when none is configured, as our misconfiguration', () => {
    expect(() => registry.endpoint('keyless')).toThrow(expect.objectContaining({ code: 'PROVIDER_MISCONFIGURED' }));
    expect(() => registry.endpoint('nowhere')).toThrow(expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }));
  });
});
