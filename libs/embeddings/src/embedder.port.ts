import type { TokenEmbedding } from './token-states';

/**
 * The one embedding port. Vectors are L2-normalised, so a dot product is the cosine similarity. `model` names the
 * vector space: vectors of different models are never compared (the vector store keeps one collection per model).
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in order; adapters batch internally. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * Optional: the pooled vector plus the per-token states it was pooled from (local encoders only; a remote
   * /v1/embeddings endpoint returns pooled vectors). `vector` equals what embed() returns for the text.
   */
  embedTokens?(texts: readonly string[]): Promise<TokenEmbedding[]>;
  close?(): Promise<void>;
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) return vector;
  for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
