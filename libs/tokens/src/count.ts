import { getEncoding, type Tiktoken, type TiktokenEncoding } from 'js-tiktoken';

/** Encodings a catalog model may name; o200k_base (GPT-4o family) is the default for anything unnamed. */
export const TOKEN_ENCODINGS = ['o200k_base', 'cl100k_base'] as const satisfies readonly TiktokenEncoding[];
export type TokenEncoding = (typeof TOKEN_ENCODINGS)[number];
export const DEFAULT_TOKEN_ENCODING: TokenEncoding = 'o200k_base';

// Loading a rank table costs tens of milliseconds and megabytes: once per process and encoding.
const encoders = new Map<TokenEncoding, Tiktoken>();

function encoder(encoding: TokenEncoding): Tiktoken {
  let e = encoders.get(encoding);
  if (!e) {
    e = getEncoding(encoding);
    encoders.set(encoding, e);
  }
  return e;
}

/** Tokens of a text with a real BPE tokenizer (what a provider bills), never a character heuristic. */
export function countTokens(text: string, encoding: TokenEncoding = DEFAULT_TOKEN_ENCODING): number {
  if (text.length === 0) return 0;
  return encoder(encoding).encode(text).length;
}

/**
 * The text of a chat prompt as counted for billing when a provider reports no usage: every message's text
 * (string content or text parts), one per line. model-sim bills with the same function, so a locally counted
 * call and the simulator's bill agree exactly.
 */
export function promptText(messages: ReadonlyArray<{ content?: unknown }>): string {
  return messages.map((m) => contentText(m.content)).join('\n');
}

export function countPromptTokens(messages: ReadonlyArray<{ content?: unknown }>, encoding: TokenEncoding = DEFAULT_TOKEN_ENCODING): number {
  return countTokens(promptText(messages), encoding);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text ?? '') : ''))
    .join('');
}
