import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedVectorStore, qdrantVectorStore } from './create-vector-store';
import { qdrantAvailability, startQdrantForTests } from './testing/qdrant-server';
import type { VectorStore } from './vector-store.port';

const DIMS = 8;
/** A unit vector pointing mostly along axis `i`, tilted by `tilt` toward axis i+1. */
const vec = (i: number, tilt = 0): Float32Array => {
  const v = new Float32Array(DIMS);
  v[i % DIMS] = 1;
  v[(i + 1) % DIMS] = tilt;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

interface Harness {
  /** A store client; calling it again after close() is a restart (same data folder / same server). */
  open(): VectorStore;
  teardown(): Promise<void>;
}

/** The one contract both adapters must pass. */
function vectorStoreContract(name: string, setup: () => Promise<Harness>): void {
  describe(`vector store contract: ${name}`, () => {
    let harness: Harness;
    let store: VectorStore;
    const spec = () => ({ name: `contract-${randomBytes(3).toString('hex')}`, model: 'test-model', dimensions: DIMS, indexedFields: ['context'] });
    const tenants = () => [`t-${randomBytes(4).toString('hex')}`, `u-${randomBytes(4).toString('hex')}`] as const;

    beforeAll(async () => {
      harness = await setup();
      store = harness.open();
    });
    afterAll(async () => {
      await store?.close();
      await harness?.teardown();
    });

    it('finds the nearest points first, with their ids, payloads and cosine scores', async () => {
      const index = (await store.index(spec())).forTenant(tenants()[0]);
      await index.upsert([
        { id: 'a', vector: vec(0), payload: { answer: 'A', n: 1 } },
        { id: 'b', vector: vec(0, 0.5), payload: { answer: 'B', n: 2 } },
        { id: 'c', vector: vec(3), payload: { answer: 'C', n: 3 } },
      ]);
      const hits = await index.search(vec(0), { topK: 2 });
      expect(hits.map((h) => h.id)).toEqual(['a', 'b']);
      expect(hits[0]).toEqual({ id: 'a', score: expect.closeTo(1, 4), payload: { answer: 'A', n: 1 } });
      expect(hits[1]!.score).toBeCloseTo(1 / Math.hypot(1, 0.5), 3);
    });

    it('never lets one tenant search, delete or purge another tenant’s points, even by the same id', async () => {
      const index = await store.index(spec());
      const [a, b] = tenants();
      await index.forTenant(a).upsert([{ id: 'same', vector: vec(1), payload: { answer: 'secret of a' } }]);
      expect(await index.forTenant(b).search(vec(1), { topK: 5 })).toEqual([]);
      await index.forTenant(b).delete(['same']);
      await index.forTenant(b).deleteByFilter({});
      expect((await index.forTenant(a).search(vec(1), { topK: 5 })).map((h) => h.payload['answer'])).toEqual(['secret of a']);
      expect(() => index.forTenant('bad tenant!')).toThrow();
    });

    it('filters by payload equality and numeric range before taking the top k', async () => {
      const index = (await store.index(spec())).forTenant(tenants()[0]);
      const points = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, vector: vec(2, i / 100), payload: { context: i % 3 === 0 ? 'x' : 'y', expires: i } }));
      await index.upsert(points);
      const inX = await index.search(vec(2), { topK: 3, filter: { equals: { context: 'x' } } });
      expect(inX.map((h) => h.id)).toEqual(['p0', 'p3', 'p6']);
      const live = await index.search(vec(2), { topK: 2, filter: { equals: { context: 'y' }, range: { expires: { gte: 20 } } } });
      expect(live.map((h) => h.id)).toEqual(['p20', 'p22']);
    });

    it('replaces a point upserted again under the same id', async () => {
      const index = (await store.index(spec())).forTenant(tenants()[0]);
      await index.upsert([{ id: 'x', vector: vec(4), payload: { v: 1 } }]);
      await index.upsert([{ id: 'x', vector: vec(5), payload: { v: 2 } }]);
      expect(await index.search(vec(4), { topK: 5 })).toEqual([{ id: 'x', score: expect.any(Number), payload: { v: 2 } }]);
    });

    it('deletes by id and by filter', async () => {
      const index = (await store.index(spec())).forTenant(tenants()[0]);
      await index.upsert([
        { id: 'k1', vector: vec(6), payload: { context: 'keep' } },
        { id: 'd1', vector: vec(6, 0.1), payload: { context: 'drop' } },
        { id: 'd2', vector: vec(6, 0.2), payload: { context: 'drop' } },
      ]);
      await index.delete(['k1']);
      expect(await index.deleteByFilter({ equals: { context: 'drop' } })).toBe(2);
      expect(await index.search(vec(6), { topK: 5 })).toEqual([]);
    });

    it('refuses reserved payload fields and vectors of the wrong size', async () => {
      const index = (await store.index(spec())).forTenant(tenants()[0]);
      await expect(index.upsert([{ id: 'r', vector: vec(0), payload: { _tenant: 'other' } }])).rejects.toThrow(/reserved/);
      await expect(index.search(new Float32Array(3), { topK: 1 })).rejects.toThrow(/dimensions/);
    });

    it('keeps its points across a restart of the store', async () => {
      const s = spec();
      const [a] = tenants();
      await (await store.index(s)).forTenant(a).upsert([{ id: 'durable', vector: vec(7), payload: { answer: 'kept' } }]);
      await store.close();
      store = harness.open();
      const hits = await (await store.index(s)).forTenant(a).search(vec(7), { topK: 1 });
      expect(hits.map((h) => [h.id, h.payload['answer']])).toEqual([['durable', 'kept']]);
    });
  });
}

vectorStoreContract('embedded (usearch HNSW, persisted)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vector-store-'));
  return { open: () => embeddedVectorStore(dir), teardown: async () => rmSync(dir, { recursive: true, force: true }) };
});

const qdrant = qdrantAvailability();
if (qdrant.available) {
  vectorStoreContract(`qdrant (${qdrant.describe})`, async () => {
    const server = await startQdrantForTests();
    return { open: () => qdrantVectorStore(server.url), teardown: () => server.stop() };
  });
} else {
  describe('vector store contract: qdrant', () => {
    // Skipped only where no Qdrant server exists: no registry ships one, so a machine without the prebuilt binary
    // (../shared/bin, installed by infra/scripts/install-qdrant.sh) or QDRANT_URL cannot run it. Said out loud, so
    // such a run is visibly a skip and not a pass; on this project's machines the binary is installed and it runs.
    it.skip(`SKIPPED: ${qdrant.reason}`, () => undefined);
    console.warn(`[vector-store] Qdrant contract tests skipped: ${qdrant.reason}`);
  });
}
