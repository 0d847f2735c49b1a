import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '@llm/embeddings';
import { predict, trainLogistic, type LogisticModel } from '@llm/routing-scorer';
import type { LabelledRow } from './curve';

/**
 * Prompt embeddings of a benchmark, in file order, cached on disk (float32 rows + a sidecar naming the model and
 * a hash of the prompts): embedding 10k prompts takes minutes on a small machine, and the fit never changes them.
 */
export async function embedRows(rows: readonly LabelledRow[], name: string, cacheDir: string, embedder: Embedder): Promise<Float32Array[]> {
  const hash = createHash('sha256');
  for (const r of rows) hash.update(r.prompt).update('\0');
  const meta = { model: embedder.model, rows: rows.length, prompts_sha256: hash.digest('hex') };
  const file = join(cacheDir, `${name}.${embedder.model}.f32`);
  const sidecar = `${file}.json`;
  const dims = embedder.dimensions;
  if (existsSync(file) && existsSync(sidecar) && readFileSync(sidecar, 'utf8') === JSON.stringify(meta)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    return rows.map((_, i) => all.slice(i * dims, (i + 1) * dims));
  }
  const vectors = await embedder.embed(rows.map((r) => r.prompt));
  const all = new Float32Array(rows.length * dims);
  vectors.forEach((v, i) => all.set(v, i * dims));
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, Buffer.from(all.buffer));
  writeFileSync(sidecar, JSON.stringify(meta));
  return vectors;
}

const dense = (v: Float32Array) => ({ indices: Array.from({ length: v.length }, (_, j) => j), values: Array.from(v) });

/** Logistic regression on the prompt's embedding, predicting "the weak model answers wrongly". */
export function fitEmbeddingScorer(vectors: readonly Float32Array[], weakWrong: readonly boolean[], l2 = 1e-3, epochs = 100): LogisticModel {
  return trainLogistic(
    vectors.map(dense),
    weakWrong.map((w) => (w ? 1 : 0)),
    { dimensions: vectors[0]?.length ?? 0, l2, epochs, learningRate: 0.05 },
  );
}

export const embeddingScores = (model: LogisticModel, vectors: readonly Float32Array[]): number[] => vectors.map((v) => predict(model, dense(v)));

/** Out-of-fold scores of contiguous folds (MMLU: each fold's subjects are mostly unseen by its fit). */
export function embeddingOutOfFold(vectors: readonly Float32Array[], rows: readonly LabelledRow[], folds: number): number[] {
  const scores = new Array<number>(rows.length);
  for (let k = 0; k < folds; k++) {
    const inFold = (i: number) => Math.floor((i * folds) / rows.length) === k;
    const idx = rows.map((_, i) => i);
    const model = fitEmbeddingScorer(
      idx.filter((i) => !inFold(i)).map((i) => vectors[i]!),
      idx.filter((i) => !inFold(i)).map((i) => !rows[i]!.weakCorrect),
    );
    idx.filter(inFold).forEach((i) => (scores[i] = predict(model, dense(vectors[i]!))));
  }
  return scores;
}
