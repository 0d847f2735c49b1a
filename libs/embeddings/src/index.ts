export { chunks, cosine, normalize, type Embedder } from './embedder.port';
export { EmbeddingError } from './embeddings.errors';
export { CachedEmbedder } from './cached.embedder';
export { createEmbedder } from './create-embedder';
export { DeterministicEmbedder } from './deterministic.embedder';
export { DEFAULT_LOCAL_MODEL, defaultLocalModelDir, OnnxSentenceEmbedder, type OnnxEmbedderOptions } from './onnx-sentence.embedder';
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai.embedder';
export { decodeTokenStates, encodeTokenStates, quantizeTokenStates, tokenCosine, type TokenEmbedding, type TokenStates } from './token-states';
