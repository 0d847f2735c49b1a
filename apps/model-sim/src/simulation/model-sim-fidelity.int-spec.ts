import { runService, type RunningService } from '@llm/service-runtime';
import { quietLogger, testServiceSettings } from '@llm/testing';
import Ajv2020 from 'ajv/dist/2020';
import OpenAI from 'openai';
import { modelSimConfigSchema } from '../config/model-sim.config';
import { simulationHttpErrorMapper } from './simulation.errors';
import { SimulationModule } from './simulation.module';

/** What a client can tell apart between model-sim and vLLM's OpenAI server (and the hosts of the other dialects). */
describe('model-sim behaves like the servers it stands for', () => {
  let sim: RunningService;
  let client: OpenAI;
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'tell me something' }];
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '1', SIM_ITL_MS: '0' });
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

  it('answers 200, not 201, streamed or not', async () => {
    expect((await post('/v1/chat/completions', { model: 'sim-small', messages })).status).toBe(200);
    expect((await post('/v1/chat/completions', { model: 'sim-small', messages, stream: true })).status).toBe(200);
  });

  it('refuses bad requests with vLLM’s ErrorResponse: unknown roles, bad types, unknown models', async () => {
    const role = await post('/v1/chat/completions', { model: 'sim-small', messages: [{ role: 'wizard', content: 'x' }] });
    expect(role.status).toBe(400);
    expect(await role.json()).toEqual({ error: { message: expect.stringContaining('role'), type: 'BadRequestError', param: 'messages.0.role', code: 400 } });
    const typed = await post('/v1/chat/completions', { model: 'sim-small', messages, n: 'two' });
    expect(await typed.json()).toMatchObject({ error: { type: 'BadRequestError', param: 'n', code: 400 } });
    const unknown = await post('/v1/chat/completions', { model: 'gpt-x', messages });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: 'The model `gpt-x` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } });
    const logprobs = await client.chat.completions.create({ model: 'sim-small', messages, top_logprobs: 2 }).catch((e: unknown) => e);
    expect(logprobs).toBeInstanceOf(OpenAI.BadRequestError);
    expect((logprobs as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/logprobs.*must be set/);
  });

  it('serves the only model when none is named, like vLLM, and lists and shows models', async () => {
    expect((await (await post('/v1/chat/completions', { messages })).json()) as { model: string }).toMatchObject({ model: 'sim-small' });
    expect((await client.models.retrieve('sim-large')).id).toBe('sim-large');
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['sim-small', 'sim-medium', 'sim-large']);
  });

  it('honours stop sequences and n, streamed and not', async () => {
    const ask = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'ECHO: one two three four' }], stop: [' three', 'zzz'] };
    const out = await client.chat.completions.create({ ...ask, n: 2 });
    expect(out.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'one two', 'stop'],
      [1, 'one two', 'stop'],
    ]);
    expect((out.choices[0] as unknown as { stop_reason: string }).stop_reason).toBe(' three');
    const stream = await client.chat.completions.create({ ...ask, n: 2, stream: true });
    const texts = ['', ''];
    const finish: Array<string | null> = [null, null];
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        texts[c.index] += c.delta.content ?? '';
        finish[c.index] = c.finish_reason ?? finish[c.index]!;
      }
    }
    expect(texts).toEqual(['one two', 'one two']);
    expect(finish).toEqual(['stop', 'stop']);
    const different = await client.chat.completions.create({ model: 'sim-small', messages, n: 3 });
    expect(new Set(different.choices.map((c) => c.message.content)).size).toBe(3);
  });

  it('answers json_schema with JSON valid for the schema, json_object with a JSON object, and takes vLLM guided decoding', async () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['title', 'rating', 'tags'],
      properties: { title: { type: 'string' }, rating: { type: 'integer', minimum: 1, maximum: 5 }, tags: { type: 'array', items: { enum: ['a', 'b'] }, minItems: 1 } },
    };
    const validate = new Ajv2020().compile(schema);
    const viaFormat = await client.chat.completions.create({ model: 'sim-small', messages, response_format: { type: 'json_schema', json_schema: { name: 'review', schema } } });
    expect(validate(JSON.parse(viaFormat.choices[0]!.message.content!))).toBe(true);
    const viaGuided = (await (await post('/v1/chat/completions', { model: 'sim-small', messages, structured_outputs: { json: schema } })).json()) as OpenAI.Chat.ChatCompletion;
    expect(validate(JSON.parse(viaGuided.choices[0]!.message.content!))).toBe(true);
    const legacy = (await (await post('/v1/chat/completions', { model: 'sim-small', messages, guided_json: schema })).json()) as OpenAI.Chat.ChatCompletion;
    expect(validate(JSON.parse(legacy.choices[0]!.message.content!))).toBe(true);
    const object = await client.chat.completions.create({ model: 'sim-small', messages, response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(object.choices[0]!.message.content!)).toBe('object');
  });

  it('calls a required or named tool with arguments valid for its parameters, streamed and not', async () => {
    const parameters = { type: 'object', required: ['city'], properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 3 } } };
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'forecast', parameters } }];
    const validate = new Ajv2020().compile(parameters);
    const required = await client.chat.completions.create({ model: 'sim-small', messages, tools, tool_choice: 'required' });
    const call = required.choices[0]!.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect([required.choices[0]!.finish_reason, call.function.name, required.choices[0]!.message.content]).toEqual(['tool_calls', 'forecast', null]);
    expect(validate(JSON.parse(call.function.arguments))).toBe(true);
    const stream = await client.chat.completions.create({ model: 'sim-small', messages, tools, tool_choice: { type: 'function', function: { name: 'forecast' } }, stream: true });
    let args = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(validate(JSON.parse(args))).toBe(true);
    expect(finish).toBe('stop');
    await expect(client.chat.completions.create({ model: 'sim-small', messages, tool_choice: 'required' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('injects broken or wrongly shaped JSON into JSON answers only, for structured-output retries to meet', async () => {
    const schema = { type: 'object', required: ['a'], properties: { a: { type: 'string' } } };
    const ask = (fault: string, format: OpenAI.Chat.ChatCompletionCreateParams['response_format']) =>
      client.chat.completions.create({ model: 'sim-small', messages, response_format: format }, { headers: { 'x-sim-fault': fault } });
    const broken = await ask('invalid-json', { type: 'json_schema', json_schema: { name: 's', schema } });
    expect(() => JSON.parse(broken.choices[0]!.message.content!)).toThrow(SyntaxError);
    const mismatch = await ask('schema-mismatch', { type: 'json_schema', json_schema: { name: 's', schema } });
    expect(new Ajv2020().validate(schema, JSON.parse(mismatch.choices[0]!.message.content!))).toBe(false);
    const brokenObject = await ask('invalid-json', { type: 'json_object' });
    expect(() => JSON.parse(brokenObject.choices[0]!.message.content!)).toThrow(SyntaxError);
    const text = await client.chat.completions.create(
      { model: 'sim-small', messages: [{ role: 'user', content: 'ECHO: plain words' }] },
      { headers: { 'x-sim-fault': 'invalid-json' } },
    );
    expect(text.choices[0]!.message.content).toBe('plain words');
  });

  it('refuses a prompt plus max_tokens beyond the context window, like vLLM', async () => {
    const res = await post('/v1/chat/completions', { model: 'sim-small', messages, max_tokens: 40_000 });
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining('maximum context length is 32768 tokens'), type: 'BadRequestError', param: 'max_tokens', code: 400 },
    });
  });

  it('refuses a priority unless priority scheduling is on, like vLLM', async () => {
    const refused = await post('/v1/chat/completions', { model: 'sim-small', messages, priority: 3 });
    expect(await refused.json()).toMatchObject({ error: { message: 'Got priority 3 but Priority scheduling is not enabled.', param: 'priority', code: 400 } });
    expect((await post('/v1/chat/completions', { model: 'sim-small', messages, priority: 0 })).status).toBe(200);
  });

  it('speaks each host’s dialect: paths, key headers, query parameters and error shapes', async () => {
    const azure = '/azure/openai/deployments/sim-small/chat/completions';
    const azureAnswer = await post(`${azure}?api-version=2024-10-21`, { messages }, { 'api-key': 'k' });
    expect(azureAnswer.status).toBe(200);
    expect(await azureAnswer.json()).toMatchObject({
      model: 'sim-small',
      prompt_filter_results: [{ prompt_index: 0 }],
      choices: [{ content_filter_results: { hate: { filtered: false } } }],
    });
    expect(await (await post(`${azure}?api-version=2024-10-21`, { messages }, { authorization: 'Bearer k' })).json()).toEqual({
      error: { code: '401', message: expect.stringContaining('Access denied') },
    });
    expect((await post(azure, { messages }, { 'api-key': 'k' })).status).toBe(404);
    expect(await (await post('/azure/openai/deployments/ghost/chat/completions?api-version=1', { messages }, { 'api-key': 'k' })).json()).toMatchObject({
      error: { code: 'DeploymentNotFound' },
    });
    const gemini = await post('/gemini/v1beta/openai/chat/completions', { model: 'sim-small', messages, priority: 1 }, { authorization: 'Bearer k' });
    expect([gemini.status, await gemini.json()]).toEqual([
      400,
      [{ error: { code: 400, message: expect.stringContaining('Unknown name "priority"'), status: 'INVALID_ARGUMENT' } }],
    ]);
    const anthropic = await post('/anthropic/v1/chat/completions', { model: 'sim-small', messages, temperature: 1.5 }, { 'x-api-key': 'k' });
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect((await post('/anthropic/v1/chat/completions', { model: 'sim-small', messages }, {})).status).toBe(401);
    const tgi = await post('/tgi/v1/chat/completions', { model: 'tgi', messages: [] });
    expect([tgi.status, await tgi.json()]).toEqual([422, { error: expect.any(String), error_type: 'validation' }]);
    const groq = await post('/groq/openai/v1/chat/completions', { model: 'sim-small', messages, logprobs: true }, { authorization: 'Bearer k' });
    expect(await groq.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'logprobs' } });
    expect((await post('/ollama/v1/chat/completions', { model: 'sim-small', messages })).status).toBe(200);
    expect(await (await post('/openrouter/api/v1/chat/completions', { model: 'sim-small', messages })).json()).toEqual({
      error: { code: 401, message: 'No auth credentials found' },
    });
    expect((await post('/llamacpp/v1/chat/completions', { model: 'anything', messages })).status).toBe(200);
  });
});
