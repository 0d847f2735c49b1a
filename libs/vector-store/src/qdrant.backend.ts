import { createHash } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { ID_FIELD, TENANT_FIELD, type IndexSpec, type Payload, type VectorBackend, type VectorFilter, type VectorHit, type VectorPoint } from './vector-store.port';

type QdrantFilter = { must: ({ key: string; match: { value: string | number | boolean } } | { key: string; range: { gte?: number; lte?: number } })[] };

/**
 * Qdrant (production): one collection per index and embedding model, cosine distance, payload indexes on the
 * tenant (Qdrant's multitenancy `is_tenant` keyword index) and on the fields the index names. Every request
 * carries the tenant condition, and point ids are derived from the tenant, so one tenant cannot reach another's
 * points even by id.
 */
export class QdrantBackend implements VectorBackend {
  readonly kind = 'qdrant' as const;
  private readonly client: QdrantClient;

  constructor(url: string, apiKey?: string) {
    this.client = new QdrantClient({ url, ...(apiKey ? { apiKey } : {}), checkCompatibility: false });
  }

  async ensureIndex(spec: IndexSpec): Promise<void> {
    const name = collectionName(spec);
    const { exists } = await this.client.collectionExists(name);
    if (!exists) {
      try {
        await this.client.createCollection(name, { vectors: { size: spec.dimensions, distance: 'Cosine' } });
      } catch (error) {
        // Another instance created it first.
        if (!(await this.client.collectionExists(name)).exists) throw error;
      }
    }
    await this.client.createPayloadIndex(name, { field_name: TENANT_FIELD, field_schema: { type: 'keyword', is_tenant: true }, wait: true });
    for (const field of spec.indexedFields ?? []) {
      await this.client.createPayloadIndex(name, { field_name: field, field_schema: 'keyword', wait: true });
    }
  }

  async upsert(spec: IndexSpec, tenant: string, points: readonly VectorPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.client.upsert(collectionName(spec), {
      wait: true,
      points: points.map((p) => ({ id: pointId(tenant, p.id), vector: Array.from(p.vector), payload: { ...p.payload, [TENANT_FIELD]: tenant, [ID_FIELD]: p.id } })),
    });
  }

  async search(spec: IndexSpec, tenant: string, vector: Float32Array, topK: number, filter: VectorFilter): Promise<VectorHit[]> {
    const { points } = await this.client.query(collectionName(spec), { query: Array.from(vector), limit: topK, filter: toQdrant(tenant, filter), with_payload: true });
    return points.map((p) => {
      const { [TENANT_FIELD]: _tenant, [ID_FIELD]: id, ...payload } = (p.payload ?? {}) as Payload;
      return { id: String(id), score: p.score, payload };
    });
  }

  async delete(spec: IndexSpec, tenant: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.delete(collectionName(spec), { wait: true, points: ids.map((id) => pointId(tenant, id)) });
  }

  async deleteByFilter(spec: IndexSpec, tenant: string, filter: VectorFilter): Promise<number> {
    const name = collectionName(spec);
    const qf = toQdrant(tenant, filter);
    const { count } = await this.client.count(name, { filter: qf, exact: true });
    await this.client.delete(name, { wait: true, filter: qf });
    return count;
  }

  async close(): Promise<void> {
    // The REST client holds no connection worth closing.
  }
}

export function collectionName(spec: IndexSpec): string {
  return `${spec.name}--${spec.model}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

/** Qdrant takes UUIDs as point ids: one derived from tenant + the caller's id (a hash, UUID-shaped). */
export function pointId(tenant: string, id: string): string {
  const hex = createHash('sha256').update(`${tenant}\n${id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function toQdrant(tenant: string, filter: VectorFilter): QdrantFilter {
  return {
    must: [
      { key: TENANT_FIELD, match: { value: tenant } },
      ...Object.entries(filter.equals ?? {}).map(([key, value]) => ({ key, match: { value } })),
      ...Object.entries(filter.range ?? {}).map(([key, range]) => ({ key, range })),
    ],
  };
}
