import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { chunks, normalize, type Embedder } from './embedder.port';
import { EmbeddingError } from './embeddings.errors';
import { quantizeTokenStates, type TokenEmbedding } from './token-states';

/** Where infra/scripts/install-embedding-model.sh puts the default model (ADR 0010). */
export const DEFAULT_LOCAL_MODEL = { name: 'all-minilm-l6-v2-int8', version: '1.0.0', dimensions: 384 } as const;
export const defaultLocalModelDir = (): string => join(homedir(), '.cache', 'llm-platform', `${DEFAULT_LOCAL_MODEL.name}-${DEFAULT_LOCAL_MODEL.version}`);

export interface OnnxEmbedderOptions {
  /** Folder with model.onnx, tokenizer.json and tokenizer_config.json (local files only, no hub download). */
  dir: string;
  model?: string;
  maxBatch?: number;
  /** Sentence-transformers truncates all-MiniLM-L6-v2 input at 256 word pieces. */
  maxTokens?: number;
  threads?: number;
}

/**
 * A sentence-transformers model (BERT encoder + mean pooling + L2 normalisation) run in-process by ONNX Runtime.
 * Texts are sorted by length before batching so a batch pads to similar lengths.
 */
export class OnnxSentenceEmbedder implements Embedder {
  readonly dimensions: number;

  private constructor(
    readonly model: string,
    private readonly session: InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly maxBatch: number,
    private readonly maxTokens: number,
    dimensions: number,
  ) {
    this.dimensions = dimensions;
  }

  static async load(options: OnnxEmbedderOptions): Promise<OnnxSentenceEmbedder> {
    const file = (name: string) => join(options.dir, name);
    for (const name of ['model.onnx', 'tokenizer.json', 'tokenizer_config.json']) {
      if (!existsSync(file(name))) {
        throw new EmbeddingError('EMBEDDING_MODEL_MISSING', `${file(name)} is missing: run infra/scripts/install-embedding-model.sh (make install)`);
      }
    }
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(file('tokenizer.json'), 'utf8')), JSON.parse(readFileSync(file('tokenizer_config.json'), 'utf8')));
    const session = await InferenceSession.create(file('model.onnx'), { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 });
    const embedder = new OnnxSentenceEmbedder(options.model ?? DEFAULT_LOCAL_MODEL.name, session, tokenizer, options.maxBatch ?? 16, options.maxTokens ?? 256, 0);
    const [probe] = await embedder.embed(['probe']);
    return new OnnxSentenceEmbedder(embedder.model, session, tokenizer, embedder.maxBatch, embedder.maxTokens, probe!.length);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return (await this.runAll(texts, false)).map((e) => e.vector);
  }

  /** The pooled vectors and the token states ([CLS]/[SEP] dropped) from the same model run. */
  async embedTokens(texts: readonly string[]): Promise<TokenEmbedding[]> {
    return (await this.runAll(texts, true)) as TokenEmbedding[];
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private encode(text: string): number[] {
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length <= this.maxTokens) return ids;
    // Keep [CLS] ... and the closing [SEP].
    return [...ids.slice(0, this.maxTokens - 1), ids[ids.length - 1]!];
  }

  private async runAll(texts: readonly string[], withTokens: boolean): Promise<{ vector: Float32Array; tokens?: TokenEmbedding['tokens'] }[]> {
    const encoded = texts.map((text, index) => ({ index, ids: this.encode(text) }));
    encoded.sort((a, b) => a.ids.length - b.ids.length);
    const out = new Array<{ vector: Float32Array; tokens?: TokenEmbedding['tokens'] }>(texts.length);
    for (const batch of chunks(encoded, this.maxBatch)) {
      const embedded = await this.run(
        batch.map((b) => b.ids),
        withTokens,
      );
      batch.forEach((b, i) => (out[b.index] = embedded[i]!));
    }
    return out;
  }

  private async run(batch: number[][], withTokens: boolean): Promise<{ vector: Float32Array; tokens?: TokenEmbedding['tokens'] }[]> {
    const n = batch.length;
    const len = Math.max(...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(n * len);
    const mask = new BigInt64Array(n * len);
    batch.forEach((row, i) =>
      row.forEach((id, j) => {
        ids[i * len + j] = BigInt(id);
        mask[i * len + j] = 1n;
      }),
    );
    const feeds: Record<string, Tensor> = { input_ids: new Tensor('int64', ids, [n, len]), attention_mask: new Tensor('int64', mask, [n, len]) };
    if (this.session.inputNames.includes('token_type_ids')) feeds['token_type_ids'] = new Tensor('int64', new BigInt64Array(n * len), [n, len]);
    let output: Tensor;
    try {
      const result = await this.session.run(feeds);
      output = result[this.session.outputNames[0]!]!;
    } catch (error) {
      throw new EmbeddingError('EMBEDDING_FAILED', 'the local embedding model failed', true, { cause: error });
    }
    const data = output.data as Float32Array;
    const dims = output.dims;
    const width = dims[dims.length - 1]!;
    // A model exported with pooling returns [n, dim]; a bare encoder returns token states [n, len, dim] to mean-pool.
    if (dims.length === 2) {
      if (withTokens) throw new EmbeddingError('EMBEDDING_FAILED', 'this model exports pooled vectors only: no token states');
      return batch.map((_, i) => ({ vector: normalize(data.slice(i * width, (i + 1) * width)) }));
    }
    return batch.map((row, i) => {
      const pooled = new Float32Array(width);
      for (let j = 0; j < row.length; j++) {
        const offset = (i * len + j) * width;
        for (let d = 0; d < width; d++) pooled[d]! += data[offset + d]!;
      }
      for (let d = 0; d < width; d++) pooled[d]! /= row.length;
      const vector = normalize(pooled);
      if (!withTokens) return { vector };
      // [CLS] and [SEP] carry the sentence, not a word: only the word pieces between them are aligned.
      const inner = row.slice(1, -1);
      const offsets = inner.map((_, j) => (i * len + j + 1) * width);
      return { vector, tokens: quantizeTokenStates(inner, data, offsets, width) };
    });
  }
}
