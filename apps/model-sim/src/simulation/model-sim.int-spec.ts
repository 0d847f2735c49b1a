import { runService, type RunningService } from '@llm/service-runtime';
import { quietLogger, testServiceSettings, waitFor } from '@llm/testing';
import { countTokens } from '@llm/tokens';
import OpenAI from 'openai';
import { modelSimConfigSchema } from '../config/model-sim.config';
import { simulationHttpErrorMapper } from './simulation.errors';
import type { SimBill } from './sim-bill';
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
    expect(full.choices[0]!.logprobs!.content!.map((l) => l.token).join('')).toBe(text);
    // Usage is counted with a real tokenizer on what was emitted, like a real server.
    expect(full.usage!.completion_tokens).toBe(countTokens(text));
    expect(full.usage!.prompt_tokens).toBe(countTokens('tell me something'));
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
    expect(out.usage!.completion_tokens).toBe(countTokens(out.choices[0]!.message.content!));
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

  describe('the bill', () => {
    type Bill = ReturnType<SimBill['view']>;
    const bill = async (): Promise<Bill> => (await fetch(`${sim.url}/sim/bill`)).json() as Promise<Bill>;
    const idle = () => waitFor(async () => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { in_flight: number }).in_flight === 0 || undefined, { what: 'sim idle' });
    beforeEach(async () => {
      expect((await fetch(`${sim.url}/sim/bill/reset`, { method: 'POST' })).status).toBe(204);
    });

    it('bills each call under its x-llm-call-id with tokenizer counts and cached prompt tokens', async () => {
      const out = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-llm-call-id': 'acme/r1/c1', 'x-sim-cached-tokens': '2' } });
      expect(out.usage!.prompt_tokens_details?.cached_tokens).toBe(2);
      const stream = await client.chat.completions.create(
        { model: 'sim-large', messages, stream: true, stream_options: { include_usage: true } },
        { headers: { 'x-llm-call-id': 'acme/r1/c2' } },
      );
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) usage = chunk.usage ?? usage;
      const { calls, totals } = await bill();
      expect(calls).toEqual([
        {
          call_id: 'acme/r1/c1',
          model: 'sim-small',
          prompt_tokens: out.usage!.prompt_tokens,
          cached_tokens: 2,
          completion_tokens: out.usage!.completion_tokens,
          outcome: 'completed',
          started_at: expect.any(Number),
        },
        {
          call_id: 'acme/r1/c2',
          model: 'sim-large',
          prompt_tokens: usage!.prompt_tokens,
          cached_tokens: 0,
          completion_tokens: usage!.completion_tokens,
          outcome: 'completed',
          started_at: expect.any(Number),
        },
      ]);
      expect(calls[0]!.started_at).toBeLessThanOrEqual(calls[1]!.started_at);
      expect(totals).toEqual({
        calls: 2,
        prompt_tokens: out.usage!.prompt_tokens * 2,
        cached_tokens: 2,
        completion_tokens: out.usage!.completion_tokens + usage!.completion_tokens,
      });
    });

    it('does not bill a non-streamed answer whose client left, and bills an abandoned stream for what was written', async () => {
      const left = await client.chat.completions
        .create({ model: 'sim-small', messages }, { headers: { 'x-sim-ttft-ms': '5000' }, signal: AbortSignal.timeout(100) })
        .catch((e: unknown) => e);
      expect(left).toBeInstanceOf(Error);
      await idle();
      expect((await bill()).calls).toEqual([]);

      const stream = await client.chat.completions.create({ model: 'sim-small', messages, stream: true }, { headers: { 'x-sim-itl-ms': '5000', 'x-sim-output-tokens': '20' } });
      for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) break;
      await idle();
      const [call] = (await bill()).calls;
      expect(call).toMatchObject({ outcome: 'aborted', prompt_tokens: countTokens('tell me something') });
      expect(call!.completion_tokens).toBeGreaterThan(0);
      expect(call!.completion_tokens).toBeLessThan(20);
    });

    it('stalls after headers: the SDK returns the stream, no token comes, the prompt is billed when the client leaves', async () => {
      const leave = new AbortController();
      const stream = await client.chat.completions.create({ model: 'sim-small', messages, stream: true }, { headers: { 'x-sim-fault': 'headers-stall' }, signal: leave.signal });
      const next = stream[Symbol.asyncIterator]().next();
      leave.abort();
      await next.catch(() => undefined);
      await idle();
      expect((await bill()).calls).toEqual([expect.objectContaining({ outcome: 'aborted', completion_tokens: 0, prompt_tokens: countTokens('tell me something') })]);
    });
  });

  describe('stream and status faults', () => {
    const read = async (fault: string, extra: Record<string, string> = {}) => {
      const stream = await client.chat.completions.create(
        { model: 'sim-small', messages, stream: true, stream_options: { include_usage: true } },
        { headers: { 'x-sim-fault': fault, ...extra } },
      );
      const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };

    it('omits the usage chunk, cuts a stream without finish_reason, and sends error events', async () => {
      const noUsage = await read('stream-no-usage');
      expect(noUsage.some((c) => c.usage)).toBe(false);
      expect(noUsage.some((c) => c.choices[0]?.finish_reason)).toBe(true);
      const cut = await read('stream-cut');
      expect(cut.length).toBeGreaterThan(0);
      expect(cut.some((c) => c.choices[0]?.finish_reason || c.usage)).toBe(false);
      const errored = await read('stream-error', { 'x-sim-stream-error-type': 'rate_limit_exceeded' }).catch((e: unknown) => e);
      expect(errored).toBeInstanceOf(OpenAI.APIError);
      expect((errored as InstanceType<typeof OpenAI.APIError>).type).toBe('rate_limit_exceeded');
    });

    it('answers a body that breaks the schema, 401/403/404, and 429 without Retry-After', async () => {
      const invalid = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': 'invalid-response' } });
      expect(Array.isArray((invalid as { choices: unknown }).choices)).toBe(false);
      await expect(client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': '401' } })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      await expect(client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': '403' } })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
      await expect(client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': '404' } })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      const limited = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-sim-fault': '429-no-retry-after' } }).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
      expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBeNull();
    });
  });
});
