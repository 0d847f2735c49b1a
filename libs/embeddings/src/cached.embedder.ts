import { createHash } from 'node:crypto';
import { embeddingCacheKey, tokenStatesCacheKey, type Redis } from '@llm/redis';
import type { Embedder } from './embedder.port';
import { decodeTokenStates, encodeTokenStates, type TokenEmbedding } from './token-states';

const textHash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Embedding cache in Redis, keyed by model + sha256(text): a repeated text is embedded once. Vectors are stored
 * as raw float32 bytes, token states (when the inner embedder has them) in their int8 encoding. A Redis failure
 * degrades to embedding again, never to an error.
 */
export class CachedEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** Present when the inner embedder has token states. */
  readonly embedTokens?: (texts: readonly string[]) => Promise<TokenEmbedding[]>;

  constructor(
    private readonly inner: Embedder,
    private readonly redis: Redis,
    private readonly ttlS = 7 * 86_400,
  ) {
    this.model = inner.model;
    this.dimensions = inner.dimensions;
    if (inner.embedTokens) this.embedTokens = (texts) => this.cachedTokens(texts);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const keys = texts.map((t) => embeddingCacheKey(this.model, textHash(t)));
    const cached = await this.redis.mgetBuffer(...keys).catch(() => keys.map(() => null));
    const out: (Float32Array | undefined)[] = cached.map((raw) => this.vector(raw));
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

  private vector(raw: Buffer | null): Float32Array | undefined {
    return raw && raw.length === this.dimensions * 4 ? new Float32Array(new Uint8Array(raw).buffer) : undefined;
  }

  private async cachedTokens(texts: readonly string[]): Promise<TokenEmbedding[]> {
    if (texts.length === 0) return [];
    const hashes = texts.map(textHash);
    const vectorKeys = hashes.map((h) => embeddingCacheKey(this.model, h));
    const tokenKeys = hashes.map((h) => tokenStatesCacheKey(this.model, h));
    const cached = await this.redis.mgetBuffer(...vectorKeys, ...tokenKeys).catch(() => [...vectorKeys, ...tokenKeys].map(() => null));
    const out: (TokenEmbedding | undefined)[] = texts.map((_, i) => {
      const vector = this.vector(cached[i] ?? null);
      const raw = cached[texts.length + i];
      const tokens = vector && raw ? decodeTokenStates(raw) : undefined;
      return vector && tokens && tokens.dims === this.dimensions ? { vector, tokens } : undefined;
    });
    const missing = [...new Set(texts.filter((_, i) => out[i] === undefined))];
    if (missing.length > 0) {
      const embedded = await this.inner.embedTokens!(missing);
      const byText = new Map(missing.map((t, i) => [t, embedded[i]!]));
      const write = this.redis.multi();
      texts.forEach((t, i) => {
        if (out[i] !== undefined) return;
        const e = byText.get(t)!;
        out[i] = e;
        write.set(vectorKeys[i]!, Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength), 'EX', this.ttlS);
        write.set(tokenKeys[i]!, encodeTokenStates(e.tokens), 'EX', this.ttlS);
      });
      await write.exec().catch(() => undefined);
    }
    return out as TokenEmbedding[];
  }
}
