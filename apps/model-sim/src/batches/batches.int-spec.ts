import { runService, type RunningService } from '@llm/service-runtime';
import { quietLogger, testServiceSettings, waitFor } from '@llm/testing';
import OpenAI, { toFile } from 'openai';
import { modelSimConfigSchema } from '../config/model-sim.config';
import { simulationHttpErrorMapper } from '../simulation/simulation.errors';
import { SimulationModule } from '../simulation/simulation.module';

const line = (customId: string, content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'sim-small', messages: [{ role: 'user', content }], ...extra } });

interface BatchOutputLine {
  custom_id: string;
  error: unknown;
  response: { status_code: number; body: { usage?: unknown } & Record<string, unknown> };
}

/** The OpenAI Files and Batch APIs of model-sim, driven with the official `openai` SDK. */
describe('model-sim batch API', () => {
  let sim: RunningService;
  let client: OpenAI;

  const start = async (env: Record<string, string>) => {
    const config = modelSimConfigSchema.parse({ SIM_TTFT_MS: '1', SIM_ITL_MS: '0', ...env });
    return runService({
      name: 'model-sim',
      module: () => SimulationModule.forRoot(config),
      settings: testServiceSettings(1_000),
      httpErrorMappers: [simulationHttpErrorMapper],
      logger: quietLogger(),
    });
  };
  const upload = async (c: OpenAI, rows: string[]) => c.files.create({ file: await toFile(Buffer.from(`${rows.join('\n')}\n`), 'batch.jsonl'), purpose: 'batch' });
  const finished = (c: OpenAI, id: string) =>
    waitFor(
      async () => {
        const b = await c.batches.retrieve(id);
        return ['completed', 'failed', 'cancelled', 'expired'].includes(b.status) ? b : undefined;
      },
      { what: `batch ${id} to finish` },
    );
  const jsonl = async (c: OpenAI, fileId: string) =>
    (await (await c.files.content(fileId)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as BatchOutputLine);

  beforeAll(async () => {
    sim = await start({});
    client = new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  it('runs a JSONL file of chat requests: answers in the output file, refused lines in the error file, each billed once under its custom_id', async () => {
    await fetch(`${sim.url}/sim/bill/reset`, { method: 'POST' });
    const file = await upload(client, [line('call-a', 'ECHO: alpha'), line('call-b', 'ECHO: beta', { max_tokens: 5 }), line('call-bad', 'x', { n: 'two' })]);
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'batch.jsonl', status: 'processed' });
    expect((await client.files.retrieve(file.id)).bytes).toBe(file.bytes);
    expect((await client.files.list({ purpose: 'batch' })).data.map((f) => f.id)).toContain(file.id);

    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: 'spec' } });
    expect(created).toMatchObject({ object: 'batch', status: 'validating', input_file_id: file.id, metadata: { run: 'spec' } });
    const done = await finished(client, created.id);
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 3, completed: 2, failed: 1 } });
    expect(done.completed_at).toEqual(expect.any(Number));

    const out = await jsonl(client, done.output_file_id!);
    expect(out.map((o) => o.custom_id).sort()).toEqual(['call-a', 'call-b']);
    const a = out.find((o) => o.custom_id === 'call-a')!;
    expect(a).toMatchObject({ error: null, response: { status_code: 200, body: { object: 'chat.completion', model: 'sim-small', choices: [{ message: { content: 'alpha' } }] } } });
    expect(a.response.body.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    const errors = await jsonl(client, done.error_file_id!);
    expect(errors).toEqual([expect.objectContaining({ custom_id: 'call-bad', response: expect.objectContaining({ status_code: 400 }) })]);

    const bill = (await (await fetch(`${sim.url}/sim/bill`)).json()) as { calls: Array<{ call_id: string | null }> };
    expect(bill.calls.map((c) => c.call_id).sort()).toEqual(['call-a', 'call-b']);
    expect((await client.batches.list()).data.map((b) => b.id)).toContain(created.id);
    // The output and error files are listed under their own purposes, not as batch input.
    expect((await client.files.list({ purpose: 'batch' })).data.map((f) => f.id)).not.toContain(done.output_file_id);
  });

  it('fails a batch whose input file breaks the rules, listing each bad line', async () => {
    const file = await upload(client, [line('dup', 'one'), line('dup', 'two'), '{not json', JSON.stringify({ custom_id: 'u', method: 'POST', url: '/v1/embeddings', body: {} })]);
    const b = await finished(client, (await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    expect(b.status).toBe('failed');
    expect(b.errors?.data?.map((e) => [e.code, e.line])).toEqual([
      ['duplicate_custom_id', 2],
      ['invalid_json_line', 3],
      ['invalid_url', 4],
    ]);
    expect(b.output_file_id).toBeNull();
  });

  it('refuses what OpenAI refuses: unknown files and batches, other endpoints, missing keys', async () => {
    await expect(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const file = await upload(client, [line('x', 'y')]);
    await expect(client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.batches.retrieve('batch_nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const res = await fetch(`${sim.url}/openai/v1/batches/batch_nope`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
  });

  it('cancels a batch still waiting in the queue: nothing runs, nothing is billed', async () => {
    const slow = await start({ SIM_BATCH_START_DELAY_MS: '2000' });
    try {
      const c = new OpenAI({ baseURL: `${slow.url}/openai/v1`, apiKey: 'x', maxRetries: 0 });
      const file = await upload(c, [line('c1', 'one'), line('c2', 'two')]);
      const b = await c.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      expect((await c.batches.cancel(b.id)).status).toBe('cancelling');
      expect(await finished(c, b.id)).toMatchObject({ status: 'cancelled', output_file_id: null, request_counts: { completed: 0 } });
      expect(((await (await fetch(`${slow.url}/sim/bill`)).json()) as { calls: unknown[] }).calls).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
