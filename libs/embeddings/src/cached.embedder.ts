import { createHash } from 'node:crypto';
import { embeddingCacheKey, type Redis } from '@llm/redis';
import type { Embedder } from './embedder.port';

/**
 * Embedding cache in Redis, keyed by model + sha256(text): a repeated text is embedded once. Vectors are stored
 * as raw float32 bytes. A Redis failure degrades to embedding again, never to an error.
 */
export class CachedEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;

  constructor(
    private readonly inner: Embedder,
    private readonly redis: Redis,
    private readonly ttlS = 7 * 86_400,
  ) {
    this.model = inner.model;
    this.dimensions = inner.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const keys = texts.map((t) => embeddingCacheKey(this.model, createHash('sha256').update(t).digest('hex')));
    const cached = await this.redis.mgetBuffer(...keys).catch(() => keys.map(() => null));
    const out: (Float32Array | undefined)[] = cached.map((raw) => (raw && raw.length === this.dimensions * 4 ? new Float32Array(new Uint8Array(raw).buffer) : undefined));
    const missing = [...new Set(texts.filter((_, i) => out[i] === undefined))];
    if (missing.length > 0) {
      const vectors = await this.inner.embed(missing);
      const byText = new Map(missing.map((t, i) => [t, vectors[i]!]));
      const write = this.redis.multi();
      texts.forEach((t, i) => {
        if (out[i] !== undefined) return;
        const vector = byText.get(t)!;
        out[i] = vector;
        write.set(keys[i]!, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), 'EX', this.ttlS);
      });
      await write.exec().catch(() => undefined);
    }
    return out as Float32Array[];
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
