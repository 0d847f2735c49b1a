import { countTokens, promptText } from '@llm/tokens';

/** Prompts up to this many characters are remembered; longer ones are rare repeats and costly to keep. */
const MAX_TEXT_CHARS = 4_096;
/** At most about 8 MiB of remembered text (UTF-16) per process. */
const MAX_ENTRIES = 1_024;

/**
 * Prompt tokens counted at admission, remembered for repeated prompts. BPE tokenizing was the largest single
 * cost of an exact-cache hit at ingress (docs/performance.md), and a hit is by definition a prompt seen
 * before. The count is a pure function of the text, so a remembered one is exactly what counting again
 * would give; the map key is the text itself, so equal counts need equal texts (no hash to collide).
 */
export class PromptTokenMemo {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxTextChars = MAX_TEXT_CHARS,
    private readonly count: (text: string) => number = countTokens,
  ) {}

  promptTokens(messages: ReadonlyArray<{ content?: unknown }>): number {
    const text = promptText(messages);
    if (text.length > this.maxTextChars) return this.count(text);
    const known = this.counts.get(text);
    if (known !== undefined) {
      // Most recently used last: the map's insertion order is the eviction order.
      this.counts.delete(text);
      this.counts.set(text, known);
      return known;
    }
    const tokens = this.count(text);
    if (this.counts.size >= this.maxEntries) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(text, tokens);
    return tokens;
  }
}
