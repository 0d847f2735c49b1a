import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inheritedEnvironment, loadConfig } from '@llm/config';
import { createTopics, testInfra, uniquePrefix } from '@llm/testing';
import OpenAI, { APIError } from 'openai';
import { z } from 'zod';
import { ROOT, ServiceProcesses } from '../support/service-processes';

/**
 * Issue 10 acceptance, on real processes: the platform from dist/ (ingress → cache → router → inference
 * worker), model-sims with injected faults behind their own catalog providers, real Kafka, Redis, Postgres,
 * and the official openai client. It uses the request-path fault test's ports (FAULTS_BASE_PORT): jest runs
 * the two files one after the other, and each stops its processes before the next starts.
 */
const { FAULTS_BASE_PORT } = loadConfig(z.object({ FAULTS_BASE_PORT: z.coerce.number().int().min(1024).max(65_000).default(27_080) }));
const BASE_PORT = FAULTS_BASE_PORT;
const STATE = join(ROOT, '.local/state/faults-resilience');

/** Extra model-sim instances, each one provider of the catalog with its fault. */
const FAULTY_SIMS = {
  limited: { instance: 1, env: { SIM_FAULT_429_RATE: '1' } },
  downa: { instance: 2, env: { SIM_FAULT_500_RATE: '1' } },
  stall: { instance: 3, env: { SIM_FAULT_STALL_RATE: '1' } },
  badjson: { instance: 4, env: { SIM_FAULT_INVALID_JSON_RATE: '1' } },
} as const;
const simPort = (instance: number) => BASE_PORT + 10 + instance * 20;
/** Nothing listens there: a deployment whose host is gone (connection refused). */
const DEAD_PORT = BASE_PORT + 99;

const model = (id: string, provider: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider,
  deployment: 'sim-small',
  tier: 'small',
  context_window: 8192,
  price_in_micros_per_mtok: 150_000,
  price_out_micros_per_mtok: 600_000,
  timeout_ms: 20_000,
  ...extra,
});
const provider = (setting: string) => ({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1', base_url_setting: setting });
const CATALOG = {
  providers: {
    sim: provider('SIM_BASE_URL'),
    limited: provider('LIMITED_URL'),
    downa: provider('DOWNA_URL'),
    downb: provider('DOWNB_URL'),
    stall: provider('STALL_URL'),
    badjson: provider('BADJSON_URL'),
  },
  models: [
    model('sim-small', 'sim'),
    model('limited-small', 'limited'),
    model('down-a', 'downa'),
    model('down-b', 'downb'),
    model('stall-small', 'stall', { first_token_timeout_ms: 1_000, idle_timeout_ms: 1_000 }),
    model('badjson-small', 'badjson'),
  ],
  routes: { default: ['limited-small', 'sim-small'], down: ['down-a', 'down-b'], stall: ['stall-small', 'sim-small'], badjson: ['badjson-small'] },
  aliases: { auto: 'default' },
};

describe('provider resilience through the whole platform (issue 10 acceptance)', () => {
  const infra = testInfra();
  const prefix = uniquePrefix('resil');
  const tenant = { id: `rsl-${randomBytes(4).toString('hex')}`, apiKey: `sk-rsl-${randomBytes(16).toString('hex')}` };
  let processes: ServiceProcesses;
  let client: OpenAI;

  beforeAll(async () => {
    mkdirSync(STATE, { recursive: true });
    const catalogPath = join(STATE, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(CATALOG, null, 2));
    await createTopics(prefix);
    const { createPrismaClient, seedTenant } = await import('@llm/db');
    const prisma = createPrismaClient(infra.DATABASE_URL);
    await seedTenant(prisma, { tenantId: tenant.id, tier: 'paid', apiKey: tenant.apiKey }).finally(() => prisma.$disconnect());
    const url = (port: number) => `http://127.0.0.1:${port}/v1`;
    processes = new ServiceProcesses({
      basePort: BASE_PORT,
      stateDir: STATE,
      env: {
        ...definedOnly(inheritedEnvironment()),
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        REDIS_URL: infra.REDIS_URL,
        DATABASE_URL: infra.DATABASE_URL,
        SIM_BASE_URL: url(simPort(0)),
        LIMITED_URL: url(simPort(FAULTY_SIMS.limited.instance)),
        DOWNA_URL: url(simPort(FAULTY_SIMS.downa.instance)),
        DOWNB_URL: url(DEAD_PORT),
        STALL_URL: url(simPort(FAULTY_SIMS.stall.instance)),
        BADJSON_URL: url(simPort(FAULTY_SIMS.badjson.instance)),
        ADMIN_TOKEN: `resil-admin-${randomBytes(12).toString('hex')}`,
        MODEL_CATALOG_PATH: catalogPath,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      // A breaker needs a minimum volume before it may open; a test sends a dozen requests, not hundreds.
      serviceEnv: { 'inference-worker': { INFERENCE_BREAKER_MIN_CALLS: '5' } },
    });
    await processes.startAll();
    for (const sim of Object.values(FAULTY_SIMS)) await processes.start('model-sim', sim.instance, sim.env);
    client = new OpenAI({ baseURL: `${processes.url('ingress')}/v1`, apiKey: tenant.apiKey, maxRetries: 0, timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await processes?.stopAll();
  }, 60_000);

  const simStats = async (instance: number) => (await (await fetch(`http://127.0.0.1:${simPort(instance)}/sim/stats`)).json()) as { requests: number };

  it('moves traffic off a primary answering 429 to the secondary, and the primary breaker opens (worker /metrics)', async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) {
      answers.push(await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `weather report ${i}` }], max_tokens: 8 }));
    }
    expect(answers.map((a) => a.model)).toEqual(answers.map(() => 'sim-small'));
    const metrics = await (await fetch(`${processes.url('inference-worker')}/metrics`)).text();
    expect(metrics).toMatch(/inference_circuit_state\{[^}]*deployment="limited\/sim-small"[^}]*\} 1/);
    // Calls stopped reaching the primary once its breaker opened (and while its Retry-After cooled it down).
    expect((await simStats(FAULTY_SIMS.limited.instance)).requests).toBeLessThan(12);
  }, 120_000);

  it('answers with a degradation error when every deployment is down: within the deadline, never a hang', async () => {
    const err = await client.chat.completions.create({ model: 'down', messages: [{ role: 'user', content: 'anyone there?' }], max_tokens: 8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    const apiError = err as APIError;
    expect(apiError.status).toBe(503);
    expect(apiError.error).toMatchObject({ platform_code: 'MODELS_UNAVAILABLE', retryable: true });
    expect(Number(apiError.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('retries a stalled stream on the next target: the client gets its whole answer (after a reset frame for anything it was shown)', async () => {
    const res = await fetch(`${processes.url('ingress')}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stall', stream: true, max_tokens: 16, messages: [{ role: 'user', content: 'tell me a story' }] }),
    });
    expect(res.status).toBe(200);
    const frames = (await res.text()).split('\n\n').filter((f) => f.trim() !== '');
    // Deltas of the stalled call that reached the client are voided by a reset frame; the rest is the new call's.
    const resetAt = frames.findIndex((f) => f.includes('event: reset'));
    if (resetAt >= 0) expect(frames[resetAt]).toContain('PROVIDER_TIMEOUT');
    const data = frames.slice(resetAt + 1).map((f) => /^data: (.*)$/m.exec(f)?.[1] ?? '');
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { model: string; choices: Array<{ finish_reason: string | null }> });
    expect(chunks.every((c) => c.model === 'sim-small')).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).not.toBeNull();
    // The stalled deployment was called once: the watchdog, not the caller, gave up on it and moved on.
    expect((await simStats(FAULTY_SIMS.stall.instance)).requests).toBe(1);
  }, 120_000);

  it('asks the model again with the validation error when its JSON is invalid, then fails with STRUCTURED_OUTPUT_INVALID', async () => {
    const before = (await simStats(FAULTY_SIMS.badjson.instance)).requests;
    const err = await client.chat.completions
      .create({ model: 'badjson', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'the weather as JSON' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(502);
    expect((err as APIError).error).toMatchObject({ platform_code: 'STRUCTURED_OUTPUT_INVALID' });
    // The first answer and two retries with feedback (INFERENCE_JSON_RETRIES default).
    expect((await simStats(FAULTY_SIMS.badjson.instance)).requests - before).toBe(3);
  }, 120_000);
});

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
