import { parseCatalog, PROVIDER_DIALECTS, type ProviderDialect } from '@llm/catalog';
import { chatCompletion, type ChatRequestBody, type RouteTarget } from '@llm/contracts';
import { runService, type RunningService } from '@llm/service-runtime';
import { quietLogger, testServiceSettings } from '@llm/testing';
import Ajv2020 from 'ajv/dist/2020';
// eslint-disable-next-line @nx/enforce-module-boundaries -- each dialect's contract is checked against the real simulator, booted in-process
import { modelSimConfigSchema } from '../../../../model-sim/src/config/model-sim.config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import type { LoggedRequest } from '../../../../model-sim/src/simulation/sim-request-log';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { simulationHttpErrorMapper } from '../../../../model-sim/src/simulation/simulation.errors';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { SimulationModule } from '../../../../model-sim/src/simulation/simulation.module';
import { ProviderCallRunner } from '../calls/provider-call.runner';
import { OpenAiCompatibleAdapter, type CallTransport } from './openai-compatible.adapter';
import { classifyProviderError } from './provider-error.classifier';
import { chatCompletionChunk } from './provider-response.schema';
import { ProviderRegistry } from './provider-registry';

/**
 * The contract of every provider dialect: the worker's adapter, on the real `openai` SDK, against model-sim
 * speaking that host's dialect (its path, key header, query parameters, refusals and error shapes). model-sim
 * refuses what the real host refuses, so a dialect row that sends the wrong thing fails here.
 */
const KEY = 'sk-contract';
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['city', 'days'],
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
};

/** Where each host lives under model-sim, and what the host must have received. */
const HOSTS: Record<ProviderDialect, { base: string; path: string; options?: object; schemaVia: LoggedRequest['schema_via']; priority: number | null }> = {
  vllm: { base: '/v1', path: '/v1/chat/completions', options: { priority_scheduling: true, guided_decoding: 'structured_outputs' }, schemaVia: 'structured_outputs', priority: 2 },
  llamacpp: { base: '/llamacpp/v1', path: '/llamacpp/v1/chat/completions', schemaVia: 'response_format', priority: null },
  tgi: { base: '/tgi/v1', path: '/tgi/v1/chat/completions', schemaVia: 'response_format', priority: null },
  ollama: { base: '/ollama/v1', path: '/ollama/v1/chat/completions', schemaVia: 'response_format', priority: null },
  openai: { base: '/openai/v1', path: '/openai/v1/chat/completions', schemaVia: 'response_format', priority: null },
  azure: {
    base: '/azure/openai',
    path: '/azure/openai/deployments/sim-small/chat/completions',
    options: { api_version: '2024-10-21' },
    schemaVia: 'response_format',
    priority: null,
  },
  // Anthropic ignores response_format: the answer is text, and the structured-output check of the worker catches it.
  anthropic: { base: '/anthropic/v1', path: '/anthropic/v1/chat/completions', schemaVia: null, priority: null },
  gemini: { base: '/gemini/v1beta/openai', path: '/gemini/v1beta/openai/chat/completions', schemaVia: 'response_format', priority: null },
  groq: { base: '/groq/openai/v1', path: '/groq/openai/v1/chat/completions', schemaVia: 'response_format', priority: null },
  together: { base: '/together/v1', path: '/together/v1/chat/completions', schemaVia: 'response_format', priority: null },
  openrouter: { base: '/openrouter/api/v1', path: '/openrouter/api/v1/chat/completions', schemaVia: 'response_format', priority: null },
};

describe('provider dialects: the openai SDK adapter against model-sim speaking each host', () => {
  let sim: RunningService;
  const registries = new Map<string, OpenAiCompatibleAdapter>();
  const adapter = (key: string) => {
    if (!registries.has(key)) {
      const providers = Object.fromEntries(
        PROVIDER_DIALECTS.map((d) => [d, { kind: 'openai-compatible', dialect: d, base_url: `${sim.url}${HOSTS[d].base}`, api_key_setting: 'CONTRACT_KEY', ...HOSTS[d].options }]),
      );
      const models = PROVIDER_DIALECTS.map((d) => ({
        id: `m-${d}`,
        provider: d,
        deployment: 'sim-small',
        tier: 'small',
        context_window: 8192,
        price_in_micros_per_mtok: 1,
        price_out_micros_per_mtok: 1,
      }));
      const catalog = parseCatalog({ providers, models, routes: { default: [`m-vllm`] } });
      registries.set(key, new OpenAiCompatibleAdapter(new ProviderRegistry(catalog, { CONTRACT_KEY: key })));
    }
    return registries.get(key)!;
  };
  const target = (d: ProviderDialect): RouteTarget => ({
    model: `m-${d}`,
    provider: d,
    deployment: 'sim-small',
    price_in_micros_per_mtok: 1,
    price_out_micros_per_mtok: 1,
    timeout_ms: 10_000,
  });
  const transport = (): CallTransport => ({ signal: AbortSignal.timeout(10_000), callId: 'acme/r1/c1', timeoutMs: 10_000, priority: 'batch' });
  const lastRequest = async () => ((await (await fetch(`${sim.url}/sim/requests`)).json()) as LoggedRequest[]).at(-1);

  // Every parameter a host might refuse or treat specially: temperature above Anthropic's cap, logprobs that Groq
  // refuses, a json_schema that vLLM gets as guided decoding.
  const body: ChatRequestBody = {
    model: 'ignored',
    messages: [{ role: 'user', content: 'plan a trip' }],
    temperature: 1.5,
    logprobs: true,
    top_logprobs: 1,
    seed: 3,
    max_tokens: 200,
    response_format: { type: 'json_schema', json_schema: { name: 'trip', schema: SCHEMA } },
  };

  beforeAll(async () => {
    const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '1', SIM_ITL_MS: '0', SIM_API_KEY: KEY, SIM_PRIORITY_SCHEDULING: 'true' });
    sim = await runService({
      name: 'model-sim',
      module: () => SimulationModule.forRoot(config),
      settings: testServiceSettings(1_000),
      httpErrorMappers: [simulationHttpErrorMapper],
      logger: quietLogger(),
    });
  });
  afterAll(() => sim.close());

  describe.each(PROVIDER_DIALECTS)('%s', (dialect) => {
    const host = HOSTS[dialect];

    it('completes on the host’s path with its key header and extras, and streams the same answer', async () => {
      const raw = await adapter(KEY).complete(target(dialect), body, transport());
      const completion = chatCompletion.parse(raw);
      const text = completion.choices[0]!.message.content!;
      expect(await lastRequest()).toMatchObject({ dialect, path: host.path, priority: host.priority, schema_via: host.schemaVia });
      if (host.schemaVia) expect(new Ajv2020().validate(SCHEMA, JSON.parse(text))).toBe(true);

      let streamed = '';
      let finish: string | null | undefined;
      for await (const chunk of await adapter(KEY).stream(target(dialect), body, transport())) {
        const parsed = chatCompletionChunk.parse(chunk);
        streamed += parsed.choices[0]?.delta.content ?? '';
        finish = parsed.choices[0]?.finish_reason ?? finish;
      }
      expect(streamed).toBe(text);
      expect(finish).toBe('stop');
    });

    it('reports a key the host refuses as our misconfiguration, in whatever shape the host sends it', async () => {
      const err = await adapter('sk-wrong')
        .complete(target(dialect), body, transport())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // Ollama has no keys at all.
      if (dialect === 'ollama') return expect(err).toBeUndefined();
      expect(classifyProviderError(err, target(dialect))).toMatchObject({ code: 'PROVIDER_MISCONFIGURED', fallsBack: true, retryable: false });
    });
  });

  it('sends vLLM’s older guided_json, and no priority where the provider does not schedule by it', async () => {
    const catalog = parseCatalog({
      providers: { old: { kind: 'openai-compatible', dialect: 'vllm', base_url: `${sim.url}/v1`, api_key_setting: 'CONTRACT_KEY', guided_decoding: 'guided_json' } },
      models: [{ id: 'm-old', provider: 'old', deployment: 'sim-small', tier: 'small', context_window: 8192, price_in_micros_per_mtok: 1, price_out_micros_per_mtok: 1 }],
      routes: { default: ['m-old'] },
    });
    const old = new OpenAiCompatibleAdapter(new ProviderRegistry(catalog, { CONTRACT_KEY: KEY }));
    const completion = chatCompletion.parse(await old.complete({ ...target('vllm'), provider: 'old' }, body, transport()));
    expect(await lastRequest()).toMatchObject({ dialect: 'vllm', priority: null, schema_via: 'guided_json' });
    expect((await lastRequest())!.params).not.toContain('response_format');
    expect(new Ajv2020().validate(SCHEMA, JSON.parse(completion.choices[0]!.message.content!))).toBe(true);
  });

  it('carries the request’s priority from the call runner to vLLM', async () => {
    const runner = new ProviderCallRunner(adapter(KEY), { firstTokenMs: 5_000, idleMs: 5_000, encodings: new Map() });
    for (const priority of ['realtime-paid', 'batch'] as const) {
      const outcome = await runner.run({
        target: target('vllm'),
        body,
        stream: true,
        callId: `acme/r-${priority}/c1`,
        onDelta: async () => undefined,
        stop: new AbortController().signal,
        priority,
      });
      expect(outcome.ok).toBe(true);
      expect(await lastRequest()).toMatchObject({ dialect: 'vllm', priority: priority === 'batch' ? 2 : 0 });
    }
  });

  it('refuses to call a host that needs a key when none is configured', async () => {
    const err = await adapter('')
      .complete(target('openai'), body, transport())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_MISCONFIGURED', message: expect.stringContaining('CONTRACT_KEY') });
  });
});
