/**
 * `make up` runs this after the platform is healthy: real prompts over HTTP with the official OpenAI SDK
 * (sync, a repeat that the cache answers, a stream, an async request) and request events over Kafka as an
 * upstream system would publish them; then it prints what happened to each.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaSchema, loadConfig } from '@llm/config';
import { inboundRequestId, Topics } from '@llm/contracts';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { createLogger } from '@llm/telemetry';
import OpenAI from 'openai';
import { z } from 'zod';

const config = loadConfig(
  kafkaSchema.extend({
    INGRESS_URL: z.url().default('http://127.0.0.1:8080'),
    DEMO_API_KEY: z.string().default('sk-demo-local-0000000000000000'),
    DEMO_TENANT: z.string().default('demo'),
  }),
);
const { prompts } = JSON.parse(readFileSync(join(__dirname, '../../../../tools/sample-traffic/prompts.json'), 'utf8')) as { prompts: { prompt: string }[] };
const client = new OpenAI({ baseURL: `${config.INGRESS_URL}/v1`, apiKey: config.DEMO_API_KEY, maxRetries: 0, timeout: 60_000 });

async function sync(prompt: string, label: string): Promise<void> {
  const started = performance.now();
  const { data, response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: prompt }], max_tokens: 48, temperature: 0 }).withResponse();
  const ms = Math.round(performance.now() - started);
  console.log(
    `  ${label.padEnd(8)} ${response.headers.get('x-cache')?.padEnd(4)} ${String(ms).padStart(5)} ms  ${data.model.padEnd(10)} ${data.usage?.prompt_tokens}→${data.usage?.completion_tokens} tokens  "${prompt.slice(0, 50).replace(/\s+/g, ' ')}…"`,
  );
}

async function main(): Promise<void> {
  console.log(`sample traffic → ${config.INGRESS_URL}`);
  for (const [i, p] of prompts.slice(0, 6).entries()) await sync(p.prompt, `sync #${i + 1}`);
  await sync(prompts[0]!.prompt, 'repeat');

  const stream = await client.chat.completions.create({ model: 'sim-large', messages: [{ role: 'user', content: prompts[6]!.prompt }], stream: true });
  let chunks = 0;
  for await (const _ of stream) chunks++;
  console.log(`  stream   ${chunks} SSE chunks from sim-large`);

  const res = await fetch(`${config.INGRESS_URL}/v1/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.DEMO_API_KEY}`, 'content-type': 'application/json', 'x-priority': 'batch' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: prompts[7]!.prompt }] }),
  });
  const { request_id } = (await res.json()) as { request_id: string };
  console.log(`  async    ${res.status} request_id ${request_id} (poll GET /v1/requests/${request_id})`);

  const logger = createLogger({ service: 'sample-traffic', level: 'error' });
  const publisher = new KafkaEventPublisher(createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'sample-upstream', logger }), logger, config.KAFKA_TOPIC_PREFIX);
  await publisher.connect();
  const ids: string[] = [];
  for (const p of prompts.slice(1, 4)) {
    const id = randomUUID();
    ids.push(id);
    await publisher.publish(Topics.inbound, {
      request_id: id,
      tenant_id: config.DEMO_TENANT,
      priority: 'batch',
      body: { model: 'auto', messages: [{ role: 'user', content: p.prompt }] },
    });
  }
  await publisher.disconnect();
  console.log(`  kafka    published ${ids.length} events to ${Topics.inbound}`);
  for (const id of ids) {
    let status = 'accepted';
    for (let i = 0; i < 100 && status !== 'succeeded' && status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      // The platform's id of an upstream event is derived from the tenant and the upstream's own id.
      const s = await fetch(`${config.INGRESS_URL}/v1/requests/${inboundRequestId(config.DEMO_TENANT, id)}`, { headers: { authorization: `Bearer ${config.DEMO_API_KEY}` } });
      status = s.ok ? ((await s.json()) as { status: string }).status : `http ${s.status}`;
    }
    console.log(`  kafka    ${id} ${status}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('sample traffic failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
