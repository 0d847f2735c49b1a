import { QdrantClient } from '@qdrant/js-client-rest';
import { tenantId as tenantIdSchema } from '@llm/contracts';
import { pointId, toQdrant } from './qdrant.backend';
import { ID_FIELD, TENANT_FIELD, type Payload, type VectorFilter, type VectorHit } from './vector-store.port';

/** A sparse vector: term ids and their weights (the caller's term weighting, e.g. BM25's saturated tf). */
export interface SparseVector {
  indices: number[];
  values: number[];
}

export interface SparsePoint {
  id: string;
  vector: SparseVector;
  payload: Payload;
}

export interface SparseIndexSpec {
  name: string;
  indexedFields?: readonly string[];
}

export interface TenantSparseIndex {
  readonly tenantId: string;
  upsert(points: readonly SparsePoint[]): Promise<void>;
  search(vector: SparseVector, options: { topK: number; filter?: VectorFilter }): Promise<VectorHit[]>;
  deleteByFilter(filter: VectorFilter): Promise<number>;
}

const SPARSE = 'terms';

/**
 * Sparse vectors in Qdrant with its `idf` modifier: the caller stores term-frequency weights, Qdrant multiplies
 * by the inverse document frequency at query time, which together is BM25 served by Qdrant (shared by every
 * service instance, nothing rebuilt in process). Tenant isolation as in the dense adapter: a tenant condition on
 * every call and point ids derived from the tenant. The IDF statistics are per Qdrant collection, i.e. over all
 * tenants' documents: scores depend on them, contents never cross.
 */
export class QdrantSparseIndex {
  private readonly client: QdrantClient;

  constructor(
    url: string,
    readonly spec: SparseIndexSpec,
    apiKey?: string,
  ) {
    this.client = new QdrantClient({ url, ...(apiKey ? { apiKey } : {}), checkCompatibility: false });
  }

  get collection(): string {
    return `${this.spec.name}--sparse`.replace(/[^a-zA-Z0-9_.-]/g, '_');
  }

  async ensure(): Promise<this> {
    const name = this.collection;
    if (!(await this.client.collectionExists(name)).exists) {
      try {
        await this.client.createCollection(name, { sparse_vectors: { [SPARSE]: { modifier: 'idf' } } });
      } catch (error) {
        if (!(await this.client.collectionExists(name)).exists) throw error;
      }
    }
    await this.client.createPayloadIndex(name, { field_name: TENANT_FIELD, field_schema: { type: 'keyword', is_tenant: true }, wait: true });
    for (const field of this.spec.indexedFields ?? []) await this.client.createPayloadIndex(name, { field_name: field, field_schema: 'keyword', wait: true });
    return this;
  }

  forTenant(tenantId: string): TenantSparseIndex {
    tenantIdSchema.parse(tenantId);
    const name = this.collection;
    return {
      tenantId,
      upsert: async (points) => {
        if (points.length === 0) return;
        for (const p of points) for (const field of Object.keys(p.payload)) if (field.startsWith('_')) throw new RangeError(`payload field ${field} is reserved`);
        await this.client.upsert(name, {
          wait: true,
          points: points.map((p) => ({ id: pointId(tenantId, p.id), vector: { [SPARSE]: p.vector }, payload: { ...p.payload, [TENANT_FIELD]: tenantId, [ID_FIELD]: p.id } })),
        });
      },
      search: async (vector, { topK, filter = {} }) => {
        if (vector.indices.length === 0) return [];
        const { points } = await this.client.query(name, { query: vector, using: SPARSE, limit: topK, filter: toQdrant(tenantId, filter), with_payload: true });
        return points.map((p) => {
          const { [TENANT_FIELD]: _tenant, [ID_FIELD]: id, ...payload } = (p.payload ?? {}) as Payload;
          return { id: String(id), score: p.score, payload };
        });
      },
      deleteByFilter: async (filter) => {
        const qf = toQdrant(tenantId, filter);
        const { count } = await this.client.count(name, { filter: qf, exact: true });
        await this.client.delete(name, { wait: true, filter: qf });
        return count;
      },
    };
  }
}
