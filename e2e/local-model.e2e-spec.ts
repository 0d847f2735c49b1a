import { testInfra, waitFor } from '@llm/testing';
import OpenAI from 'openai';
import { Client } from 'pg';
import { ensureLocalModel, serverCounter, type LocalModelServer } from './support/local-model';
import { platformInfo, type PlatformInfo } from './support/platform';

const MODEL = 'gemma-3-270m';
const PREDICTED = 'llamacpp:tokens_predicted_total';

/**
 * The catalog's real local model (llama.cpp server on Gemma 3 270M, docs/adr: local model) behind the whole
 * platform: real tokens and real logprobs, the signal confidence escalation will read.
 */
describe('the real local model through the platform', () => {
  let p: PlatformInfo;
  let server: LocalModelServer;
  let client: OpenAI;
  let db: Client;

  beforeAll(async () => {
    p = platformInfo();
    server = await ensureLocalModel(p.localModelUrl);
    client = new OpenAI({ baseURL: `${p.ingressUrl}/v1`, apiKey: p.apiKey, maxRetries: 0, timeout: 120_000 });
    db = new Client({ connectionString: testInfra().DATABASE_URL });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  it('answers with tokens the model generated and their logprobs, and charges the local deployment', async () => {
    const predictedBefore = await serverCounter(p.localModelUrl, PREDICTED);
    const { data, response } = await client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: 'user', content: 'The capital of France is' }],
        temperature: 0,
        max_tokens: 12,
        logprobs: true,
        top_logprobs: 3,
      })
      .withResponse();

    expect(response.status).toBe(200);
    // Served by the local deployment itself, not by a fallback to model-sim further down the chain.
    expect(data.model).toBe(MODEL);
    const choice = data.choices[0]!;
    // The pretrained (not instruction-tuned) 270M model: its words are not asserted, only that they are its own.
    const text = choice.message.content ?? '';
    expect(text).toMatch(/\S/);
    const usage = data.usage!;
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeLessThanOrEqual(12);
    // The server that decoded them is the local one: its own counter moved by the tokens it generated.
    expect((await serverCounter(p.localModelUrl, PREDICTED)) - predictedBefore).toBe(usage.completion_tokens);

    const tokens = choice.logprobs?.content ?? [];
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.map((t) => t.token).join('')).toBe(text);
    for (const t of tokens) {
      expect(Number.isFinite(t.logprob)).toBe(true);
      expect(t.logprob).toBeLessThanOrEqual(0);
      expect(t.top_logprobs).toHaveLength(3);
      const alternatives = t.top_logprobs.map((a) => a.logprob);
      expect(alternatives).toEqual([...alternatives].sort((a, b) => b - a));
      // Greedy decoding (temperature 0) picks the most likely token, and reports the same logprob for it.
      expect(t.top_logprobs[0]!.token).toBe(t.token);
      expect(t.top_logprobs[0]!.logprob).toBeCloseTo(t.logprob, 5);
    }
    // What confidence escalation will compute: a mean token logprob, a probability in (0, 1].
    const meanLogprob = tokens.reduce((sum, t) => sum + t.logprob, 0) / tokens.length;
    expect(Math.exp(meanLogprob)).toBeGreaterThan(0);
    expect(Math.exp(meanLogprob)).toBeLessThanOrEqual(1);

    const requestId = response.headers.get('x-request-id')!;
    const charged = await waitFor(
      async () => {
        const { rows } = await db.query<{ model: string; tokens_in: number; tokens_out: number }>(
          'select model, tokens_in, tokens_out from usage_events where request_id = $1 and tenant_id = $2',
          [requestId, p.tenantId],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'the usage row', timeoutMs: 30_000 },
    );
    expect(charged).toEqual([{ model: MODEL, tokens_in: usage.prompt_tokens, tokens_out: usage.completion_tokens }]);
  });
});
