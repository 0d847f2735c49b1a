export { qdrantAvailability, startQdrantForTests, type QdrantForTests } from './qdrant-server';
