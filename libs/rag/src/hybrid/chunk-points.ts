import type { Embedder } from '@llm/embeddings';
import { countTokens } from '@llm/tokens';
import type { Payload, VectorPoint } from '@llm/vector-store';

/**
 * Tokens (o200k) of one embedding window. all-MiniLM-L6-v2 reads at most 256 word pieces and English runs about
 * 1.2 word pieces per o200k token, so a 300–500 token chunk embedded whole would be judged by its first half only.
 */
export const EMBEDDING_WINDOW_TOKENS = 180;

/** Payload field naming the chunk a window belongs to (dense hits are mapped back to chunks by it). */
export const CHUNK_FIELD = 'chunk_id';

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * The texts a chunk is embedded as: the chunk itself when it fits the model, else consecutive sentence windows
 * that each repeat the chunk's heading line, so every part of the chunk is seen by the dense retriever.
 */
export function embeddingWindows(text: string, maxTokens = EMBEDDING_WINDOW_TOKENS): string[] {
  if (countTokens(text) <= maxTokens) return [text];
  const split = text.indexOf('\n\n');
  const heading = split > 0 && !text.slice(0, split).includes('.') ? text.slice(0, split) : '';
  const body = heading ? text.slice(split + 2) : text;
  const room = Math.max(32, maxTokens - (heading ? countTokens(heading) + 2 : 0));
  const windows: string[] = [];
  let current = '';
  for (const { segment } of sentences.segment(body)) {
    if (current && countTokens(current + segment) > room) {
      windows.push(current.trim());
      current = '';
    }
    current += segment;
  }
  if (current.trim()) windows.push(current.trim());
  return windows.map((w) => (heading ? `${heading}\n\n${w}` : w));
}

/** Vector points of chunks: one per embedding window, id `<chunk id>~<window>`, the chunk id in the payload. */
export async function chunkVectorPoints(embedder: Embedder, chunks: ReadonlyArray<{ id: string; text: string; payload: Payload }>): Promise<VectorPoint[]> {
  const windows = chunks.flatMap((c) => embeddingWindows(c.text).map((text, w) => ({ id: `${c.id}~${w}`, text, payload: { ...c.payload, [CHUNK_FIELD]: c.id } })));
  const vectors = await embedder.embed(windows.map((w) => w.text));
  return windows.map((w, i) => ({ id: w.id, vector: vectors[i]!, payload: w.payload }));
}
