import { createHash } from 'node:crypto';
import { normalize, type Embedder } from './embedder.port';

/**
 * FOR UNIT TESTS ONLY: a lexical bag-of-words hashed into `dimensions` buckets. Texts sharing words are similar,
 * reproducibly and without a model; it knows nothing of meaning.
 */
export class DeterministicEmbedder implements Embedder {
  readonly model = 'deterministic-lexical-test';
  calls = 0;

  constructor(readonly dimensions = 64) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls += 1;
    return texts.map((text) => {
      const vector = new Float32Array(this.dimensions);
      for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
        const digest = createHash('sha256').update(word).digest();
        vector[digest.readUInt32BE(0) % this.dimensions]! += 1;
      }
      return normalize(vector);
    });
  }
}
