import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { platformInfo, type PlatformInfo } from './support/platform';

const GUIDE = `# Wexcombe guide

## River
The river Lune flows through Wexcombe from the northern moors to the sea. Its ferry has run since 1712.

## Market
Wexcombe holds a cheese market every Tuesday in the old corn exchange.`;

const OTHER = '<html><body><h1>Orbital mechanics</h1><p>A geostationary orbit has a period of one sidereal day.</p></body></html>';

describe('RAG end to end: ingest, ask through the OpenAI API, get citations; tenants are isolated', () => {
  let p: PlatformInfo;
  let collection: string;

  beforeAll(() => {
    p = platformInfo();
    collection = `kb-${randomUUID().slice(0, 8)}`;
  });

  const retriever = (apiKey: string, method: string, path: string, body?: unknown) =>
    fetch(`${p.retrieverUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('answers from the ingested documents with citations that point at them', async () => {
    const ingested = await retriever(p.apiKey, 'POST', `/v1/collections/${collection}/documents`, {
      documents: [
        { document_id: 'wexcombe-guide', content: GUIDE, format: 'markdown', title: 'Wexcombe guide', metadata: { lang: 'en' } },
        { document_id: 'orbits', content: OTHER, format: 'html', title: 'Orbits' },
      ],
    });
    expect(ingested.status).toBe(201);
    expect(((await ingested.json()) as { documents: Array<{ outcome: string }> }).documents.map((d) => d.outcome)).toEqual(['created', 'created']);

    const client = new OpenAI({ baseURL: `${p.ingressUrl}/v1`, apiKey: p.apiKey, maxRetries: 0, timeout: 60_000 });
    const answer = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: `Which river flows through Wexcombe? (${randomUUID()})` }],
      metadata: { rag_collection: collection, rag_top_k: '3' },
    });
    const citations = (answer as unknown as { citations?: Array<{ index: number; document_id: string; collection: string; cited: boolean }> }).citations;
    expect(citations?.length).toBeGreaterThan(0);
    expect(citations![0]).toEqual(expect.objectContaining({ index: 1, document_id: 'wexcombe-guide', collection, cited: true }));
    for (const c of citations!) expect(['wexcombe-guide', 'orbits']).toContain(c.document_id);
    expect(answer.choices[0]!.message.content).toContain('[1]');

    // Streamed, the sources ride on the finishing chunk.
    const stream = await client.chat.completions.create({
      model: 'auto',
      stream: true,
      messages: [{ role: 'user', content: `Is there a ferry on the river Lune? (${randomUUID()})` }],
      metadata: { rag_collection: collection },
    });
    let text = '';
    let streamed: Array<{ document_id: string; cited: boolean }> | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) streamed = (chunk as unknown as { citations?: typeof streamed }).citations;
    }
    expect(text).toContain('[1]');
    expect(streamed?.[0]).toEqual(expect.objectContaining({ document_id: 'wexcombe-guide', cited: true }));
  });

  it('another tenant finds nothing: not in search, not in management, not through the chat API', async () => {
    const search = await retriever(p.freeApiKey, 'POST', `/v1/collections/${collection}/search`, { query: 'river Lune' });
    expect(search.status).toBe(404);
    expect(((await search.json()) as { error: { platform_code: string } }).error.platform_code).toBe('COLLECTION_NOT_FOUND');
    expect((await retriever(p.freeApiKey, 'GET', `/v1/collections/${collection}`)).status).toBe(404);
    expect((await retriever(p.freeApiKey, 'GET', `/v1/collections/${collection}/documents/wexcombe-guide`)).status).toBe(404);
    expect((await retriever(p.freeApiKey, 'DELETE', `/v1/collections/${collection}/documents/wexcombe-guide`)).status).toBe(404);
    const listed = (await (await retriever(p.freeApiKey, 'GET', '/v1/collections')).json()) as { data: Array<{ name: string }> };
    expect(listed.data.map((c) => c.name)).not.toContain(collection);

    const client = new OpenAI({ baseURL: `${p.ingressUrl}/v1`, apiKey: p.freeApiKey, maxRetries: 0, timeout: 60_000 });
    const failed = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: `Which river flows through Wexcombe? (${randomUUID()})` }], metadata: { rag_collection: collection } })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failed).toBeInstanceOf(OpenAI.NotFoundError);

    // The owner still sees its documents, and its own search finds the guide first.
    const own = await retriever(p.apiKey, 'POST', `/v1/collections/${collection}/search`, { query: 'river Lune ferry', top_k: 2 });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { data: Array<{ document_id: string }> }).data[0]!.document_id).toBe('wexcombe-guide');
  });

  it('re-ingesting replaces a version and deleting removes every chunk', async () => {
    const again = await retriever(p.apiKey, 'POST', `/v1/collections/${collection}/documents`, {
      document_id: 'orbits',
      content: 'Comets have eccentric orbits.',
      title: 'Orbits',
    });
    expect(((await again.json()) as { documents: Array<{ version: number; outcome: string }> }).documents[0]).toEqual(expect.objectContaining({ version: 2, outcome: 'replaced' }));
    expect((await retriever(p.apiKey, 'DELETE', `/v1/collections/${collection}/documents/orbits`)).status).toBe(200);
    const search = (await (await retriever(p.apiKey, 'POST', `/v1/collections/${collection}/search`, { query: 'comets eccentric orbits geostationary', top_k: 5 })).json()) as {
      data: Array<{ document_id: string }>;
    };
    expect(search.data.map((h) => h.document_id)).not.toContain('orbits');
  });
});
