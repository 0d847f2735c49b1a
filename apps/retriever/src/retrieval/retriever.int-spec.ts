import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { parseConfig } from '@llm/config';
import { dlqTopic, Topics, type CachePurgeV1, type RetrieveRequestV1, type RouteRequestV1 } from '@llm/contracts';
import { createPrismaClient, migrate, seedTenant } from '@llm/db';
import { createKafkaClient, KafkaEventPublisher, OnTopic } from '@llm/kafka';
import { ResultStreamReader } from '@llm/result-stream';
import { runService, type RunningService } from '@llm/service-runtime';
import { qdrantAvailability, startQdrantForTests, type QdrantForTests } from '@llm/vector-store/testing';
import { createTopics, freshDatabase, llmRequest, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { retrieverConfigSchema } from '../config/retriever.config';
import { RetrievalModule } from './retrieval.module';

const infra = testInfra();
const logger = quietLogger('retriever-int');
const routed: RouteRequestV1[] = [];
const purges: CachePurgeV1[] = [];

@Controller()
class DownstreamProbe {
  @OnTopic(Topics.route)
  async onRoute(request: RouteRequestV1): Promise<void> {
    routed.push(request);
  }
  @OnTopic(Topics.cachePurge)
  async onPurge(event: CachePurgeV1): Promise<void> {
    purges.push(event);
  }
}
@Module({ controllers: [DownstreamProbe] })
class DownstreamProbeModule {}

const GUIDE = `# Wexcombe guide

## River
The river Lune flows through Wexcombe from the northern moors to the sea. Its ferry has run since 1712.

## Market
Wexcombe holds a cheese market every Tuesday in the old corn exchange.`;

const qdrant = qdrantAvailability();
const stores = [['the embedded index and in-process BM25', false] as const, ...(qdrant.available ? [['Qdrant dense and sparse (BM25) vectors', true] as const] : [])];
if (!qdrant.available) console.warn(`retriever int spec: Qdrant mode skipped: ${qdrant.reason}`);

describe.each(stores)('retriever (Postgres documents, the real embedding model, %s, Kafka)', (_label, useQdrant) => {
  let qdrantServer: QdrantForTests | undefined;
  let service: RunningService;
  let probe: RunningService;
  let publisher: KafkaEventPublisher;
  let indexDir: string;
  let prefix: string;
  const dead: string[] = [];
  const suffix = randomBytes(4).toString('hex');
  const a = { tenantId: `rag-a-${suffix}`, tier: 'paid' as const, apiKey: `sk-rag-a-${randomBytes(12).toString('hex')}` };
  const b = { tenantId: `rag-b-${suffix}`, tier: 'paid' as const, apiKey: `sk-rag-b-${randomBytes(12).toString('hex')}` };
  const consumer = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'retriever-int-dlq', logger }).consumer({ groupId: `retriever-int-dlq-${randomUUID()}` });

  const http = (tenant: { apiKey: string }, method: string, path: string, body?: unknown) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
  type Hits = { declined: boolean; data: Array<{ document_id: string; chunk_id: string; text: string }> };

  beforeAll(async () => {
    prefix = uniquePrefix('retriever');
    await createTopics(prefix);
    const databaseUrl = await freshDatabase('retriever');
    await migrate(databaseUrl);
    const prisma = createPrismaClient(databaseUrl);
    for (const t of [a, b]) await seedTenant(prisma, t);
    await prisma.$disconnect();
    indexDir = mkdtempSync(join(tmpdir(), 'retriever-int-'));
    qdrantServer = useQdrant ? await startQdrantForTests() : undefined;
    const config = parseConfig(retrieverConfigSchema, {
      REDIS_URL: infra.REDIS_URL,
      DATABASE_URL: databaseUrl,
      VECTOR_INDEX_DIR: indexDir,
      ...(qdrantServer ? { QDRANT_URL: qdrantServer.url } : {}),
    });
    const kafka = { ...infra, KAFKA_TOPIC_PREFIX: prefix };
    service = await runService({
      name: 'retriever',
      module: (log) => RetrievalModule.forRoot({ config, logger: log }),
      settings: testServiceSettings(),
      kafka,
      groupId: `retriever-${randomUUID()}`,
      logger,
    });
    probe = await runService({ name: 'probe', module: () => DownstreamProbeModule, settings: testServiceSettings(), kafka, groupId: `retriever-probe-${randomUUID()}`, logger });
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'retriever-int', logger }), logger, prefix);
    await publisher.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [dlqTopic(`${prefix}${Topics.ragIngest}`)], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void dead.push(message.value?.toString() ?? '') });
  });

  afterAll(async () => {
    await consumer.disconnect();
    await publisher?.disconnect();
    await probe?.close();
    await service?.close();
    await qdrantServer?.stop();
    rmSync(indexDir, { recursive: true, force: true });
  });

  it('ingests markdown and HTML, searches by meaning and by words, and filters on metadata', async () => {
    const res = await http(a, 'POST', '/v1/collections/guides/documents', {
      documents: [
        { document_id: 'wexcombe', content: GUIDE, format: 'markdown', title: 'Wexcombe guide', metadata: { lang: 'en' } },
        { document_id: 'wexcombe-fr', content: '<h1>Wexcombe</h1><p>La rivière Lune traverse Wexcombe.</p><script>track()</script>', format: 'html', metadata: { lang: 'fr' } },
      ],
    });
    expect(res.status).toBe(201);

    const semantic = await json<Hits>(http(a, 'POST', '/v1/collections/guides/search', { query: 'Which stream runs through the town?', top_k: 1, mode: 'dense' }));
    expect(semantic.data[0]!.document_id).toBe('wexcombe');
    const lexical = await json<Hits>(http(a, 'POST', '/v1/collections/guides/search', { query: 'cheese Tuesday', top_k: 1, mode: 'lexical' }));
    expect(lexical.data[0]!.text).toContain('cheese market');
    const french = await json<Hits>(http(a, 'POST', '/v1/collections/guides/search', { query: 'river Lune Wexcombe', top_k: 5, filter: { lang: 'fr' } }));
    expect(french.data.map((h) => h.document_id)).toEqual(['wexcombe-fr']);
    expect(french.data[0]!.text).not.toContain('track()');
    expect(semantic.declined).toBe(false);
    // Nothing in the collection is about this: the calibrated threshold declines it.
    const unrelated = await json<Hits>(http(a, 'POST', '/v1/collections/guides/search', { query: 'What is the melting point of tungsten carbide?', top_k: 3 }));
    expect(unrelated.declined).toBe(true);
    await waitFor(() => (purges.some((p) => p.tenant_id === a.tenantId && p.collection === 'guides') ? true : undefined), { what: 'the collection’s cached answers to be purged' });
  });

  it('keeps tenants apart: another tenant cannot list, read, search, delete or ground a request in the collection', async () => {
    expect((await http(b, 'GET', '/v1/collections/guides')).status).toBe(404);
    expect((await http(b, 'GET', '/v1/collections/guides/documents')).status).toBe(404);
    expect((await http(b, 'GET', '/v1/collections/guides/documents/wexcombe')).status).toBe(404);
    expect((await http(b, 'DELETE', '/v1/collections/guides/documents/wexcombe')).status).toBe(404);
    expect((await http(b, 'DELETE', '/v1/collections/guides')).status).toBe(404);
    expect((await json<{ data: unknown[] }>(http(b, 'GET', '/v1/collections'))).data).toEqual([]);
    const search = await http(b, 'POST', '/v1/collections/guides/search', { query: 'river' });
    expect(search.status).toBe(404);

    // B's own collection of the same name holds only B's documents.
    await http(b, 'POST', '/v1/collections/guides/documents', { document_id: 'b-notes', content: 'The river in our notes is the Severn.' });
    const own = await json<Hits>(http(b, 'POST', '/v1/collections/guides/search', { query: 'river Lune Wexcombe ferry', top_k: 10 }));
    expect(own.data.map((h) => h.document_id)).toEqual(['b-notes']);
    expect((await json<{ documents: number }>(http(a, 'GET', '/v1/collections/guides'))).documents).toBe(2);

    const request: RetrieveRequestV1 = { ...llmRequest({ tenant_id: b.tenantId, rag: { collection: 'nobody-has-this', top_k: 3 } }) };
    await publisher.publish(Topics.retrieve, request);
    const reader = service.app.get(ResultStreamReader);
    const result = await waitFor(() => reader.terminal(b.tenantId, request.request_id), { what: 'the request to be refused' });
    expect(result.error?.code).toBe('COLLECTION_NOT_FOUND');
  });

  it('grounds a RAG request: numbered sources in a system message and in context, on to routing', async () => {
    const request: RetrieveRequestV1 = {
      ...llmRequest({
        tenant_id: a.tenantId,
        rag: { collection: 'guides', top_k: 2 },
        body: { model: 'auto', messages: [{ role: 'user', content: 'Since when has the Lune ferry run?' }] },
      }),
    };
    await publisher.publish(Topics.retrieve, request);
    const out = await waitFor(() => routed.find((r) => r.request_id === request.request_id), { what: 'the grounded request' });
    expect(out.context[0]).toEqual(expect.objectContaining({ citation: 1, document_id: 'wexcombe', collection: 'guides' }));
    expect(out.body.messages[0]!.role).toBe('system');
    expect(out.body.messages[0]!.content).toContain('[1] Wexcombe guide:');
    expect(out.body.messages.at(-1)!.content).toBe('Since when has the Lune ferry run?');
  });

  it('replaces a document on re-ingest (same content changes nothing) and removes every chunk on delete', async () => {
    const again = await json<{ documents: Array<{ version: number; outcome: string }> }>(
      http(a, 'POST', '/v1/collections/guides/documents', { document_id: 'wexcombe', content: GUIDE, format: 'markdown', title: 'Wexcombe guide', metadata: { lang: 'en' } }),
    );
    expect(again.documents[0]).toEqual(expect.objectContaining({ version: 1, outcome: 'unchanged' }));
    const replaced = await json<{ documents: Array<{ version: number; outcome: string }> }>(
      http(a, 'POST', '/v1/collections/guides/documents', { document_id: 'wexcombe', content: 'Wexcombe has a lighthouse painted red.', metadata: { lang: 'en' } }),
    );
    expect(replaced.documents[0]).toEqual(expect.objectContaining({ version: 2, outcome: 'replaced' }));
    for (const mode of ['dense', 'lexical', 'hybrid']) {
      const hits = await json<Hits>(http(a, 'POST', '/v1/collections/guides/search', { query: 'cheese market ferry lighthouse', top_k: 10, mode }));
      expect(hits.data.filter((h) => h.document_id === 'wexcombe').map((h) => h.chunk_id)).toEqual(['wexcombe@2#0']);
    }
    expect((await http(a, 'DELETE', '/v1/collections/guides/documents/wexcombe')).status).toBe(200);
    expect((await http(a, 'GET', '/v1/collections/guides/documents/wexcombe')).status).toBe(404);
    for (const mode of ['dense', 'lexical']) {
      const hits = await json<Hits>(http(a, 'POST', '/v1/collections/guides/search', { query: 'Wexcombe lighthouse', top_k: 10, mode }));
      expect(hits.data.map((h) => h.document_id)).not.toContain('wexcombe');
    }
  });

  it('forgets a deleted collection: one created again under its name is searched afresh', async () => {
    await http(a, 'POST', '/v1/collections/again/documents', { document_id: 'old', content: 'Apricots ripen in July.' });
    expect((await json<Hits>(http(a, 'POST', '/v1/collections/again/search', { query: 'apricots', mode: 'lexical' }))).data.map((h) => h.document_id)).toEqual(['old']);
    expect((await http(a, 'DELETE', '/v1/collections/again')).status).toBe(200);
    expect((await http(a, 'POST', '/v1/collections/again/search', { query: 'apricots' })).status).toBe(404);
    await http(a, 'POST', '/v1/collections/again/documents', { document_id: 'new', content: 'Apricots and plums ripen in summer.' });
    for (const mode of ['lexical', 'dense']) {
      expect((await json<Hits>(http(a, 'POST', '/v1/collections/again/search', { query: 'apricots', mode }))).data.map((h) => h.document_id)).toEqual(['new']);
    }
  });

  it('ingests in bulk from llm.rag-ingest.v1 with job progress; an invalid message goes to the DLQ', async () => {
    const jobId = `job-${randomUUID()}`;
    const documents = Array.from({ length: 4 }, (_, i) => ({ document_id: `bulk-${i}`, content: `Bulk document ${i} is about topic number ${i}.`, format: 'text' as const }));
    await publisher.publish(Topics.ragIngest, {
      tenant_id: a.tenantId,
      collection: 'bulk',
      job_id: jobId,
      documents: documents.slice(0, 2),
      requested_at: new Date().toISOString(),
    });
    await publisher.publish(Topics.ragIngest, {
      tenant_id: a.tenantId,
      collection: 'bulk',
      job_id: jobId,
      documents: [...documents.slice(2), { document_id: 'empty', content: '<p> </p>', format: 'html' }],
      requested_at: new Date().toISOString(),
    });
    const job = await waitFor(
      async () => {
        const res = await http(a, 'GET', `/v1/ingest-jobs/${jobId}`);
        const body = res.status === 200 ? ((await res.json()) as { documents_done: number; documents_failed: number; last_error: string | null }) : undefined;
        return body && body.documents_done + body.documents_failed === 5 ? body : undefined;
      },
      { what: 'the bulk job to finish' },
    );
    expect(job).toEqual(expect.objectContaining({ documents_done: 4, documents_failed: 1 }));
    expect(job.last_error).toContain('empty');
    expect((await http(b, 'GET', `/v1/ingest-jobs/${jobId}`)).status).toBe(404);
    expect((await json<{ documents: number }>(http(a, 'GET', '/v1/collections/bulk'))).documents).toBe(4);

    const raw = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'retriever-int-raw', logger }).producer();
    await raw.connect();
    await raw.send({
      topic: `${prefix}${Topics.ragIngest}`,
      messages: [{ key: a.tenantId, value: JSON.stringify({ tenant_id: a.tenantId, collection: 'Bad Name!', job_id: 'x', documents: [] }) }],
    });
    await raw.disconnect();
    const letter = await waitFor(() => dead.find((v) => v.includes('Bad Name!')), { what: 'the invalid message on the DLQ' });
    expect(letter).toBeDefined();
  });
});
