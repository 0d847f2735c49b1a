import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { ID_FIELD, matchesFilter, TENANT_FIELD, type IndexSpec, type Payload, type VectorBackend, type VectorFilter, type VectorHit, type VectorPoint } from './vector-store.port';

interface Entry {
  id: string;
  payload: Payload;
}

/** One tenant's HNSW graph (usearch) and its payloads: tenants never share a graph, so isolation is structural. */
class TenantGraph {
  readonly entries = new Map<bigint, Entry>();
  readonly keyOf = new Map<string, bigint>();
  nextKey = 1n;
  dirty = false;

  constructor(readonly graph: Index) {}
}

const safeName = (value: string) => value.replace(/[^a-zA-Z0-9_.-]/g, '_');

/**
 * Embedded in-process index (the default when QDRANT_URL is unset): usearch HNSW graphs, one per tenant and
 * index, persisted under `dir` (a graph file plus a JSON file of ids and payloads) and reloaded at boot.
 * Writes are flushed within seconds (a whole graph is rewritten per flush, so flushes are spaced) and on close. Filters other than the tenant are applied after
 * the graph search, widening the search until enough points pass.
 */
export class EmbeddedBackend implements VectorBackend {
  readonly kind = 'embedded' as const;
  private readonly graphs = new Map<string, TenantGraph>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly flushDelayMs = 5_000,
  ) {}

  async ensureIndex(spec: IndexSpec): Promise<void> {
    const folder = this.folder(spec);
    mkdirSync(folder, { recursive: true });
    for (const file of readdirSync(folder)) {
      if (file.endsWith('.json')) this.tenant(spec, file.slice(0, -'.json'.length));
    }
  }

  async upsert(spec: IndexSpec, tenant: string, points: readonly VectorPoint[]): Promise<void> {
    const t = this.tenant(spec, tenant);
    const latest = new Map(points.map((p) => [p.id, p]));
    const keys = new BigUint64Array(latest.size);
    const vectors = new Float32Array(latest.size * spec.dimensions);
    let i = 0;
    for (const point of latest.values()) {
      const old = t.keyOf.get(point.id);
      if (old !== undefined) {
        t.graph.remove(old);
        t.entries.delete(old);
      }
      const key = t.nextKey++;
      keys[i] = key;
      vectors.set(point.vector, i * spec.dimensions);
      t.entries.set(key, { id: point.id, payload: { ...point.payload } });
      t.keyOf.set(point.id, key);
      i++;
    }
    // One call per batch: usearch inserts a batch in parallel.
    if (keys.length > 0) t.graph.add(keys, vectors);
    this.touch(t);
  }

  async search(spec: IndexSpec, tenant: string, vector: Float32Array, topK: number, filter: VectorFilter): Promise<VectorHit[]> {
    const t = this.tenant(spec, tenant);
    const size = t.entries.size;
    if (size === 0 || topK <= 0) return [];
    for (let wanted = Math.min(size, topK * 4); ; wanted = Math.min(size, wanted * 4)) {
      const matches = t.graph.search(vector, wanted, 0);
      const hits: VectorHit[] = [];
      for (let i = 0; i < matches.keys.length && hits.length < topK; i++) {
        const entry = t.entries.get(matches.keys[i]!);
        if (entry && matchesFilter(entry.payload, filter)) hits.push({ id: entry.id, score: 1 - matches.distances[i]!, payload: entry.payload });
      }
      if (hits.length >= topK || wanted >= size) return hits;
    }
  }

  async delete(spec: IndexSpec, tenant: string, ids: readonly string[]): Promise<void> {
    const t = this.tenant(spec, tenant);
    for (const id of ids) {
      const key = t.keyOf.get(id);
      if (key === undefined) continue;
      t.graph.remove(key);
      t.entries.delete(key);
      t.keyOf.delete(id);
    }
    this.touch(t);
  }

  async deleteByFilter(spec: IndexSpec, tenant: string, filter: VectorFilter): Promise<number> {
    const t = this.tenant(spec, tenant);
    const ids = [...t.entries.values()].filter((e) => matchesFilter(e.payload, filter)).map((e) => e.id);
    await this.delete(spec, tenant, ids);
    return ids.length;
  }

  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flush();
  }

  /** Writes every changed graph to disk (atomically: write aside, then rename). */
  flush(): void {
    for (const [path, t] of this.graphs) {
      if (!t.dirty) continue;
      t.graph.save(`${path}.usearch.tmp`);
      renameSync(`${path}.usearch.tmp`, `${path}.usearch`);
      const records = [...t.entries].map(([key, e]) => [key.toString(), e.id, e.payload]);
      writeFileSync(`${path}.json.tmp`, JSON.stringify({ nextKey: t.nextKey.toString(), records }));
      renameSync(`${path}.json.tmp`, `${path}.json`);
      t.dirty = false;
    }
  }

  private touch(t: TenantGraph): void {
    t.dirty = true;
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.flushDelayMs);
    this.flushTimer.unref();
  }

  private folder(spec: IndexSpec): string {
    return join(this.dir, safeName(`${spec.name}--${spec.model}`));
  }

  private tenant(spec: IndexSpec, tenant: string): TenantGraph {
    const path = join(this.folder(spec), safeName(tenant));
    let t = this.graphs.get(path);
    if (t) return t;
    t = new TenantGraph(
      new Index({ dimensions: spec.dimensions, metric: MetricKind.Cos, quantization: ScalarKind.F32, multi: false, connectivity: 16, expansion_add: 128, expansion_search: 64 }),
    );
    if (existsSync(`${path}.json`) && existsSync(`${path}.usearch`)) {
      t.graph.load(`${path}.usearch`);
      const saved = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { nextKey: string; records: [string, string, Payload][] };
      t.nextKey = BigInt(saved.nextKey);
      for (const [key, id, payload] of saved.records) {
        t.entries.set(BigInt(key), { id, payload });
        t.keyOf.set(id, BigInt(key));
      }
    }
    this.graphs.set(path, t);
    return t;
  }
}

/** The adapters store these alongside the caller's payload; callers never see them. */
export const RESERVED_FIELDS = [TENANT_FIELD, ID_FIELD] as const;
