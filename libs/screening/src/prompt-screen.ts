import { PATTERN_SETS, type PatternSetName } from './injection-patterns';

export interface ScreenResult {
  flagged: boolean;
  /** Families that matched (never the matched text: prompts are not logged or echoed). */
  families: string[];
}

const MAX_SCANNED_CHARS = 64 * 1024;

/** Text of the user turns only: system prompts are the tenant's own, assistant turns are model output. */
export function userTurnsText(messages: ReadonlyArray<{ role: string; content?: unknown }>): string[] {
  return messages
    .filter((m) => m.role === 'user')
    .map((m) =>
      typeof m.content === 'string'
        ? m.content
        : Array.isArray(m.content)
          ? m.content.map((p: unknown) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join(' ')
          : '',
    );
}

/** Screens texts with a pattern set; each text is bounded so a huge prompt cannot make screening slow. */
export function screenTexts(texts: readonly string[], set: PatternSetName): ScreenResult {
  const families = new Set<string>();
  for (const text of texts) {
    const bounded = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS / 2) + '\n' + text.slice(-MAX_SCANNED_CHARS / 2) : text;
    for (const p of PATTERN_SETS[set]) if (p.pattern.test(bounded)) families.add(p.family);
  }
  return { flagged: families.size > 0, families: [...families].sort() };
}
