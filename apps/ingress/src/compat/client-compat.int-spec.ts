import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, parseConfig, positiveInt } from '@llm/config';
import { z } from 'zod';
import { Topics, type LlmRequestV1 } from '@llm/contracts';
import { createPrismaClient, migrate, seedTenant } from '@llm/db';
import { createKafkaClient } from '@llm/kafka';
import { answeredResult, ResultPublisher } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { chatCompletion, createTopics, pythonToolsVenv, quietLogger, runSchemathesis, testInfra, testServiceSettings, uniquePrefix } from '@llm/testing';
import { ingressConfigSchema } from '../config/ingress.config';
import { RequestsModule } from '../requests/requests.module';

const infra = testInfra();
const logger = quietLogger('client-compat-int');
const suffix = randomBytes(4).toString('hex');
const free = { tenantId: `compat-free-${suffix}`, tier: 'free' as const, apiKey: `sk-compat-free-${suffix}` };
/**
 * Examples per operation and phase. The default (10) already makes about 1,700 cases over the coverage, fuzzing
 * and stateful phases of the 5 operations (about 30 s); FUZZ_MAX_EXAMPLES=100 is a deep run.
 */
const env = loadConfig(z.object({ FUZZ_MAX_EXAMPLES: positiveInt(10), PATH: z.string(), HOME: z.string() }));

/** Runs a child without blocking the event loop (ingress answers in this same process). */
function run(file: string, args: string[], env: Record<string, string | undefined>, timeout: number, cwd?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? -1 : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

/**
 * Python clients against a real ingress: the official OpenAI Python SDK unchanged, and schemathesis fuzzing the
 * OpenAPI document served at /docs. A stand-in for the pipeline answers every request ingress publishes, so
 * sync and streaming calls finish.
 */
describe('Python clients against ingress (OpenAI SDK, schemathesis)', () => {
  const prefix = uniquePrefix('compat');
  const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'compat-int', logger });
  const consumer = kafka.consumer({ groupId: `compat-int-${randomUUID()}` });
  const prisma = createPrismaClient(infra.DATABASE_URL);
  let service: RunningService;
  let venv: string;

  beforeAll(async () => {
    venv = pythonToolsVenv();
    await createTopics(prefix);
    await migrate(infra.DATABASE_URL);
    await seedTenant(prisma, free);
    const config = parseConfig(ingressConfigSchema, {
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: infra.REDIS_URL,
      DATABASE_URL: infra.DATABASE_URL,
    });
    service = await runService({
      name: 'ingress',
      module: (log) => RequestsModule.forRoot(config, log),
      settings: testServiceSettings(),
      kafka: config,
      groupId: `compat-svc-${randomUUID()}`,
      bodyLimit: String(config.BODY_LIMIT_BYTES),
      logger,
    });
    const results = service.app.get(ResultPublisher);
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}${Topics.requests}`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const request = JSON.parse(message.value!.toString()) as LlmRequestV1;
        const json = request.body.response_format?.type === 'json_object' || request.body.response_format?.type === 'json_schema';
        const content = json ? '{"ok": true}' : 'hello from the platform';
        if (request.mode === 'stream') {
          for (const [i, word] of content.split(' ').entries())
            await results.appendDelta(request.tenant_id, request.request_id, { index: i, content: i === 0 ? word : ` ${word}` });
        }
        const completion = chatCompletion(content, { model: request.body.model });
        await results.publish(
          answeredResult(request, { source: 'model', model: request.body.model, provider: 'stand-in', response: completion, usage: completion.usage!, cost_micros: 1, attempt: 1 }),
        );
      },
    });
  }, 660_000);

  afterAll(async () => {
    await consumer.disconnect();
    await service?.close();
    await prisma.$executeRaw`delete from request_registry where tenant_id = ${free.tenantId}`;
    await prisma.$disconnect();
  });

  it('runs chat, streaming, JSON mode and models.list with the official OpenAI Python SDK', async () => {
    const sdk = await run(
      join(venv, 'bin/python'),
      ['apps/ingress/src/compat/openai_python_check.py'],
      { PATH: env.PATH, OPENAI_BASE_URL: `${service.url}/v1`, OPENAI_API_KEY: free.apiKey },
      120_000,
    );
    expect(sdk.stderr).toBe('');
    expect(sdk.status).toBe(0);
    const out = JSON.parse(sdk.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out['models']).toEqual(expect.arrayContaining(['sim-small', 'auto']));
    expect(out['models']).not.toContain('sim-large');
    expect(out['chat']).toBe('hello from the platform');
    expect(out['stream']).toBe('hello from the platform');
    expect(out['json']).toEqual({ ok: true });
    expect(out['paid_only']).toBe('PermissionDeniedError:model_not_allowed');
  });

  it('survives schemathesis fuzzing of its OpenAPI document: no 5xx, every error a JSON body with a stable code', async () => {
    const fuzz = await runSchemathesis({
      venv,
      schemaUrl: `${service.url}/docs`,
      baseUrl: service.url,
      authorization: `Bearer ${free.apiKey}`,
      maxExamples: env.FUZZ_MAX_EXAMPLES,
      env: { PATH: env.PATH, HOME: env.HOME },
    });
    if (fuzz.status !== 0) console.log(fuzz.stdout.slice(-8000), fuzz.stderr.slice(-2000));
    expect(fuzz.status).toBe(0);
    expect(fuzz.cases).toBeDefined();
    console.log(`schemathesis: ${fuzz.cases!.generated} cases generated, ${fuzz.cases!.passed} passed`);
    // ~1,700 cases take about a minute on a quiet machine and several on a loaded one: bounded by the run's own
    // 20-minute timeout above, not by jest's default.
  }, 1_260_000);
});
