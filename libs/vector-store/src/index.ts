export { createVectorStore, embeddedVectorStore, qdrantVectorStore } from './create-vector-store';
export {
  VectorIndex,
  VectorStore,
  type IndexSpec,
  type Payload,
  type PayloadValue,
  type TenantVectorIndex,
  type VectorFilter,
  type VectorHit,
  type VectorPoint,
} from './vector-store.port';
export { QdrantSparseIndex, type SparseIndexSpec, type SparsePoint, type SparseVector, type TenantSparseIndex } from './qdrant-sparse.index';
