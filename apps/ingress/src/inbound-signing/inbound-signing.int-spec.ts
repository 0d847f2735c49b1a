import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@llm/config';
import { dlqTopic, Headers, Topics, type InboundRequestV1, type LlmRequestV1 } from '@llm/contracts';
import { createPrismaClient, migrate, seedTenant } from '@llm/db';
import { createKafkaClient, ensureTopics, SINGLE_BROKER } from '@llm/kafka';
import { runService, type RunningService } from '@llm/service-runtime';
import { chatCompletion, createTopics, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { answeredResult, ResultPublisher } from '@llm/result-stream';
import { ingressConfigSchema } from '../config/ingress.config';
import { RequestIds } from '../requests/identity/request-ids';
import { RequestsModule } from '../requests/requests.module';
import { replyTopic } from '../replies/reply-topics';
import { signInbound } from './inbound-signature';

const infra = testInfra();
const logger = quietLogger('inbound-signing-int');
const suffix = randomBytes(4).toString('hex');
const signer = { tenantId: `sig-acme-${suffix}`, tier: 'paid' as const, apiKey: `sk-sig-acme-${suffix}` };
const victim = { tenantId: `sig-victim-${suffix}`, tier: 'paid' as const, apiKey: `sk-sig-victim-${suffix}` };
const secrets = { current: { id: 'k1', secret: randomBytes(32).toString('hex') }, next: { id: 'k2', secret: randomBytes(32).toString('hex') } };
const victimSecret = { id: 'v1', secret: randomBytes(32).toString('hex') };

interface Seen {
  topic: string;
  value: string;
  headers: Record<string, string>;
}

describe('signed inbound events (Kafka + Redis + Postgres)', () => {
  const prefix = uniquePrefix('signing');
  const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'signing-int', logger });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `signing-int-${randomUUID()}` });
  const prisma = createPrismaClient(infra.DATABASE_URL);
  const seen: Seen[] = [];
  let service: RunningService;

  const requests = () => seen.filter((m) => m.topic === `${prefix}${Topics.requests}`).map((m) => JSON.parse(m.value) as LlmRequestV1);
  const dead = () => seen.filter((m) => m.topic === dlqTopic(`${prefix}${Topics.inbound}`));
  const send = async (event: InboundRequestV1, headers: Record<string, string>, value = JSON.stringify(event)) => {
    await producer.send({ topic: `${prefix}${Topics.inbound}`, messages: [{ key: event.tenant_id, value, headers }] });
  };
  const event = (tenantId: string, upstreamId: string): InboundRequestV1 => ({
    request_id: upstreamId,
    tenant_id: tenantId,
    priority: 'batch',
    body: { model: 'sim-small', messages: [{ role: 'user', content: `work ${upstreamId}` }] },
  });

  beforeAll(async () => {
    await createTopics(prefix);
    await migrate(infra.DATABASE_URL);
    for (const t of [signer, victim]) await seedTenant(prisma, t);
    const dir = mkdtempSync(join(tmpdir(), 'signing-'));
    const keysPath = join(dir, 'keys.json');
    writeFileSync(keysPath, JSON.stringify({ [signer.tenantId]: [secrets.current, secrets.next], [victim.tenantId]: [victimSecret] }));
    await producer.connect();
    await consumer.connect();
    // Reply topics are declared with their tenant (operations create them with their ACLs); here the test does.
    // ensureTopics waits for leaders itself: kafkajs's waitForLeaders gives up while a fresh topic is not in the metadata yet.
    await ensureTopics(
      kafka,
      [signer, victim].map((t) => ({ topic: `${prefix}${replyTopic(t.tenantId)}`, partitions: 3 })),
      SINGLE_BROKER,
    );
    await consumer.subscribe({
      topics: [`${prefix}${Topics.requests}`, dlqTopic(`${prefix}${Topics.inbound}`), `${prefix}${replyTopic(signer.tenantId)}`, `${prefix}${replyTopic(victim.tenantId)}`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        seen.push({ topic, value: message.value?.toString() ?? '', headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
      },
    });
    const config = parseConfig(ingressConfigSchema, {
      KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: infra.REDIS_URL,
      DATABASE_URL: infra.DATABASE_URL,
      INBOUND_SIGNING_KEYS_PATH: keysPath,
      INBOUND_REQUIRE_SIGNATURE: 'true',
      INBOUND_REPLY_TENANTS: `${signer.tenantId},${victim.tenantId}`,
    });
    service = await runService({
      name: 'ingress',
      module: (log) => RequestsModule.forRoot(config, log),
      settings: testServiceSettings(),
      kafka: config,
      groupId: `signing-int-svc-${randomUUID()}`,
      bodyLimit: String(config.BODY_LIMIT_BYTES),
      logger,
    });
  });

  afterAll(async () => {
    await service?.close();
    await producer.disconnect();
    await consumer.disconnect();
    await prisma.$executeRaw`delete from request_registry where tenant_id in (${signer.tenantId}, ${victim.tenantId})`;
    await prisma.$disconnect();
  });

  it('accepts events signed with either active secret of their tenant', async () => {
    const first = event(signer.tenantId, 'ok-current');
    const value = JSON.stringify(first);
    await send(first, { [Headers.signature]: signInbound(secrets.current.secret, value) }, value);
    const second = event(signer.tenantId, 'ok-next');
    const value2 = JSON.stringify(second);
    await send(second, { [Headers.signature]: signInbound(secrets.next.secret, value2), [Headers.signatureKeyId]: 'k2' }, value2);
    await waitFor(() => (requests().filter((r) => r.tenant_id === signer.tenantId).length === 2 ? true : undefined), { what: 'both signed events to be accepted' });
  });

  it('publishes an inbound request’s outcome to its own tenant’s reply topic with the correlation id, and nowhere another tenant reads', async () => {
    const ask = event(signer.tenantId, 'with-reply');
    const value = JSON.stringify(ask);
    await send(ask, { [Headers.signature]: signInbound(secrets.current.secret, value), [Headers.correlationId]: 'corr-42' }, value);
    const request = await waitFor(() => requests().find((r) => r.upstream_id === 'with-reply'), { what: 'the request to be accepted' });
    const completion = chatCompletion('the answer');
    await service.app
      .get(ResultPublisher)
      .publish(answeredResult(request, { source: 'model', model: 'sim-small', provider: 'sim', response: completion, usage: completion.usage!, cost_micros: 2, attempt: 1 }));
    const reply = await waitFor(() => seen.find((m) => m.topic === `${prefix}${replyTopic(signer.tenantId)}`), { what: 'the reply on the signer’s topic' });
    expect(reply.headers[Headers.correlationId]).toBe('corr-42');
    expect(reply.headers[Headers.requestId]).toBe(request.request_id);
    expect(JSON.parse(reply.value)).toMatchObject({ request_id: request.request_id, tenant_id: signer.tenantId, upstream_id: 'with-reply', status: 'succeeded' });
    // The other tenant: nothing on its reply topic, and its key cannot read the request over HTTP.
    expect(seen.filter((m) => m.topic === `${prefix}${replyTopic(victim.tenantId)}`)).toEqual([]);
    const viaHttp = await fetch(`${service.url}/v1/requests/${request.request_id}`, { headers: { authorization: `Bearer ${victim.apiKey}` } });
    expect(viaHttp.status).toBe(404);
  });

  it('dead-letters unsigned, wrongly signed and tenant-spoofing events with the reason, and bills no one', async () => {
    const unsigned = event(signer.tenantId, 'unsigned');
    await send(unsigned, {});
    const wrong = event(signer.tenantId, 'wrong');
    await send(wrong, { [Headers.signature]: signInbound(randomBytes(32).toString('hex'), JSON.stringify(wrong)) });
    // The signer's valid secret cannot bill another tenant: the claim is checked against the claimed tenant's secrets.
    const spoof = event(victim.tenantId, 'spoof');
    await send(spoof, { [Headers.signature]: signInbound(secrets.current.secret, JSON.stringify(spoof)) });
    // Bytes changed after signing (a body swapped in transit).
    const tampered = event(signer.tenantId, 'tampered');
    await send(
      tampered,
      { [Headers.signature]: signInbound(secrets.current.secret, JSON.stringify(tampered)) },
      JSON.stringify({ ...tampered, body: { ...tampered.body, model: 'sim-large' } }),
    );

    const letters = await waitFor(() => (dead().length >= 4 ? dead() : undefined), { what: 'four dead letters' });
    for (const letter of letters) {
      expect(letter.headers[Headers.dlqErrorCode]).toBe('SIGNATURE_INVALID');
      expect(letter.headers[Headers.dlqReason]).toMatch(/signature (unsigned|mismatch)/);
    }
    // A marker sent after them is accepted, so everything before it was handled: none of the four went on.
    const marker = event(signer.tenantId, 'marker');
    const markerValue = JSON.stringify(marker);
    await send(marker, { [Headers.signature]: signInbound(secrets.current.secret, markerValue) }, markerValue);
    await waitFor(() => requests().find((r) => r.upstream_id === 'marker'), { what: 'the marker to be accepted' });
    const refusedIds = ['unsigned', 'wrong', 'spoof', 'tampered'];
    expect(requests().filter((r) => refusedIds.includes(r.upstream_id ?? ''))).toEqual([]);
    const registered = await prisma.$queryRaw<
      Array<{ n: bigint }>
    >`select count(*) as n from request_registry where tenant_id in (${signer.tenantId}, ${victim.tenantId}) and request_id = any(${refusedIds.map((id) => RequestIds.inbound(id.startsWith('spoof') ? victim.tenantId : signer.tenantId, id))})`;
    expect(Number(registered[0]!.n)).toBe(0);
  });
});
