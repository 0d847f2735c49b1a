import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeterministicEmbedder, type Embedder } from '@llm/embeddings';
import type { LabelledRow } from './curve';
import { embeddingOutOfFold, embeddingScores, embedRows, fitEmbeddingScorer } from './embedding-scorer';

const row = (prompt: string, weakCorrect: boolean): LabelledRow => ({
  benchmark: 't',
  prompt,
  promptTokens: 1,
  weakCorrect,
  strongCorrect: true,
  weakCostMicros: 1,
  strongCostMicros: 10,
});

class CountingEmbedder implements Embedder {
  readonly model = 'counting';
  readonly dimensions = 16;
  calls = 0;
  private readonly inner = new DeterministicEmbedder(16);
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    return this.inner.embed(texts);
  }
}

describe('embedding scorer (report only)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'emb-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('embeds once and reads the cache while the prompts are unchanged', async () => {
    const embedder = new CountingEmbedder();
    const rows = [row('alpha beta', true), row('gamma delta', false)];
    const first = await embedRows(rows, 'b', dir, embedder);
    const again = await embedRows(rows, 'b', dir, embedder);
    expect(embedder.calls).toBe(1);
    expect(again.map((v) => Array.from(v))).toEqual(first.map((v) => Array.from(v)));
    await embedRows([row('alpha beta', true), row('changed', false)], 'b', dir, embedder);
    expect(embedder.calls).toBe(2);
  });

  it('learns which region of the embedding space the weak model fails in, out of fold too', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? row(`integral calculus limit ${i}`, false) : row(`capital city country ${i}`, true)));
    const vectors = await new DeterministicEmbedder(32).embed(rows.map((r) => r.prompt));
    const scores = embeddingScores(
      fitEmbeddingScorer(
        vectors,
        rows.map((r) => !r.weakCorrect),
        1e-3,
        200,
      ),
      vectors,
    );
    const mean = (wrong: boolean) => {
      const s = scores.filter((_, i) => rows[i]!.weakCorrect !== wrong);
      return s.reduce((a, b) => a + b, 0) / s.length;
    };
    expect(mean(true)).toBeGreaterThan(mean(false) + 0.3);
    const oof = embeddingOutOfFold(vectors, rows, 5);
    expect(oof.every((s) => s > 0 && s < 1)).toBe(true);
    expect(oof.filter((_, i) => !rows[i]!.weakCorrect).reduce((a, b) => a + b, 0)).toBeGreaterThan(oof.filter((_, i) => rows[i]!.weakCorrect).reduce((a, b) => a + b, 0));
  });
});
