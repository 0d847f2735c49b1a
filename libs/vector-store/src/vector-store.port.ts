import { tenantId as tenantIdSchema } from '@llm/contracts';

export type PayloadValue = string | number | boolean;
export type Payload = Record<string, PayloadValue>;

/** Equality on payload fields, and numeric ranges (for example an expiry time). */
export interface VectorFilter {
  equals?: Payload;
  range?: Record<string, { gte?: number; lte?: number }>;
}

export interface VectorPoint {
  id: string;
  vector: Float32Array;
  payload: Payload;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity in [-1, 1] (vectors are compared by cosine in every adapter). */
  score: number;
  payload: Payload;
}

/** What an index is: one per (use, embedding model), since vectors of two models are never comparable. */
export interface IndexSpec {
  name: string;
  model: string;
  dimensions: number;
  /** Payload fields to index for filtering (besides the tenant, always indexed). */
  indexedFields?: readonly string[];
}

/** Payload field holding the tenant; reserved: callers cannot set or filter on it. */
export const TENANT_FIELD = '_tenant';
/** Payload field holding the caller's point id (adapters may need their own id format). */
export const ID_FIELD = '_id';

/**
 * What an adapter implements. Every call names the tenant, and the adapter must scope to it; only the tenant
 * facade below is handed to callers, so no caller can address another tenant's points.
 */
export interface VectorBackend {
  readonly kind: 'qdrant' | 'embedded';
  ensureIndex(spec: IndexSpec): Promise<void>;
  upsert(spec: IndexSpec, tenant: string, points: readonly VectorPoint[]): Promise<void>;
  search(spec: IndexSpec, tenant: string, vector: Float32Array, topK: number, filter: VectorFilter): Promise<VectorHit[]>;
  delete(spec: IndexSpec, tenant: string, ids: readonly string[]): Promise<void>;
  deleteByFilter(spec: IndexSpec, tenant: string, filter: VectorFilter): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The port callers use: one index, one tenant. */
export interface TenantVectorIndex {
  readonly tenantId: string;
  upsert(points: readonly VectorPoint[]): Promise<void>;
  search(vector: Float32Array, options: { topK: number; filter?: VectorFilter }): Promise<VectorHit[]>;
  delete(ids: readonly string[]): Promise<void>;
  /** Returns how many were deleted when the adapter knows. */
  deleteByFilter(filter: VectorFilter): Promise<number | undefined>;
}

export class VectorIndex {
  constructor(
    private readonly backend: VectorBackend,
    readonly spec: IndexSpec,
  ) {}

  /** The only way to reach points: bound to one tenant, which every operation adds to its filter. */
  forTenant(tenantId: string): TenantVectorIndex {
    tenantIdSchema.parse(tenantId);
    const { backend, spec } = this;
    return {
      tenantId,
      upsert: async (points) => {
        points.forEach((p) => checkPoint(p, spec));
        return backend.upsert(spec, tenantId, points);
      },
      search: async (vector, { topK, filter = {} }) => {
        checkVector(vector, spec);
        checkFilter(filter);
        return backend.search(spec, tenantId, vector, topK, filter);
      },
      delete: (ids) => backend.delete(spec, tenantId, ids),
      deleteByFilter: async (filter) => {
        checkFilter(filter);
        return backend.deleteByFilter(spec, tenantId, filter);
      },
    };
  }
}

/** Vector store: an adapter behind tenant-scoped indexes. */
export class VectorStore {
  constructor(private readonly backend: VectorBackend) {}

  get kind(): VectorBackend['kind'] {
    return this.backend.kind;
  }

  async index(spec: IndexSpec): Promise<VectorIndex> {
    await this.backend.ensureIndex(spec);
    return new VectorIndex(this.backend, spec);
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

function checkPoint(point: VectorPoint, spec: IndexSpec): void {
  checkVector(point.vector, spec);
  for (const field of Object.keys(point.payload)) {
    if (field.startsWith('_')) throw new RangeError(`payload field ${field} is reserved`);
  }
}

function checkVector(vector: Float32Array, spec: IndexSpec): void {
  if (vector.length !== spec.dimensions) throw new RangeError(`vector has ${vector.length} dimensions, index ${spec.name} expects ${spec.dimensions}`);
}

function checkFilter(filter: VectorFilter): void {
  for (const field of [...Object.keys(filter.equals ?? {}), ...Object.keys(filter.range ?? {})]) {
    if (field.startsWith('_')) throw new RangeError(`filter field ${field} is reserved`);
  }
}

/** Whether a payload passes a filter (the embedded adapter's post-filter). */
export function matchesFilter(payload: Payload, filter: VectorFilter): boolean {
  for (const [field, value] of Object.entries(filter.equals ?? {})) if (payload[field] !== value) return false;
  for (const [field, { gte, lte }] of Object.entries(filter.range ?? {})) {
    const value = payload[field];
    if (typeof value !== 'number') return false;
    if (gte !== undefined && value < gte) return false;
    if (lte !== undefined && value > lte) return false;
  }
  return true;
}
