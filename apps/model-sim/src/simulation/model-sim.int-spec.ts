import { runService, type RunningService } from '@llm/service-runtime';
import { quietLogger, testServiceSettings } from '@llm/testing';
import OpenAI from 'openai';
import { modelSimConfigSchema } from '../config/model-sim.config';
import { simulationHttpErrorMapper } from './simulation.errors';
import { SimulationModule } from './simulation.module';

describe('model-sim through the official OpenAI SDK', () => {
  let sim: RunningService;
  let client: OpenAI;

  beforeAll(async () => {
    const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '5', SIM_ITL_MS: '1', SIM_MAX_BATCH: '2' });
    sim = await runService({
      name: 'model-sim',
      module: () => SimulationModule.forRoot(config),
      settings: testServiceSettings(1_000),
      httpErrorMappers: [simulationHttpErrorMapper],
      logger: quietLogger(),
    });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'tell me something' }];

  it('completes with usage and logprobs, and streams the same text', async () => {
    const full = await client.chat.completions.create({ model: 'sim-small', messages, seed: 7, logprobs: true, top_logprobs: 2 });
    const text = full.choices[0]!.message.content!;
    expect(text.length).toBeGreaterThan(0);
    expect(full.usage!.completion_tokens).toBe(full.choices[0]!.logprobs!.content!.length);
    expect(full.choices[0]!.logprobs!.content![0]!.top_logprobs).toHaveLength(2);

    const stream = await client.chat.completions.create({ model: 'sim-small', messages, seed: 7, stream: true, stream_options: { include_usage: true } });
    let streamed = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(streamed).toBe(text);
    expect(usage).toEqual(full.usage);
  });

  it('cuts at max_tokens with finish_reason length', async () => {
    const out = await client.chat.completions.create({ model: 'sim-large', messages, max_tokens: 2 }, { headers: { 'x-sim-output-tokens': '10' } });
    expect(out.choices[0]!.finish_reason).toBe('length');
    expect(out.usage!.completion_tokens).toBe(2);
  });

  it('answers an unknown model with 404 and injected faults with the status a client handles', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-x', messages })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const limited = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': '429' } }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('1');
    await expect(client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': '500' } })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const heldFrom = performance.now();
    const timedOut = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': 'timeout' }, timeout: 300 }).catch((e: unknown) => e);
    // Under Jest's VM globals the SDK cannot recognise its own timeout abort and reports the parent class.
    expect(timedOut).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(performance.now() - heldFrom).toBeGreaterThanOrEqual(290);
  });

  it('delays the first token by the requested time to first token', async () => {
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'sim-small', messages, stream: true }, { headers: { 'x-sim-ttft-ms': '200' } });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) break;
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('refuses bad bodies with 400 and huge ones with 413, and stays up', async () => {
    const post = (body: string) => fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post(JSON.stringify({ model: 'sim-small', messages: 'nope' }))).status).toBe(400);
    expect((await post(JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] }))).status).toBe(413);
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
  });
});
