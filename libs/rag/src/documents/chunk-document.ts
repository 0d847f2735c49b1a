import { countTokens } from '@llm/tokens';
import { parseSections, type DocumentFormat, type Section } from './parse-document';

export interface ChunkingOptions {
  /** Hard ceiling of a chunk, its heading line included. */
  maxTokens: number;
  /** A chunk this long ends at the next paragraph break, so chunks land between target and max. */
  targetTokens: number;
  /** Below this a chunk takes in the next section instead of ending at its heading (no crumbs of chunks). */
  minTokens: number;
  /** Trailing sentences of a chunk repeated at the start of the next one within a section. */
  overlapTokens: number;
}

/** 300–500 tokens with about 60 of overlap (issue 12). */
export const DEFAULT_CHUNKING: ChunkingOptions = { maxTokens: 500, targetTokens: 400, minTokens: 300, overlapTokens: 60 };

export interface Chunk {
  ordinal: number;
  /** The heading path as a first line (`A > B`), then the text: a chunk read alone still says what it is about. */
  text: string;
  headings: string[];
  tokens: number;
}

interface Unit {
  text: string;
  tokens: number;
  /** First sentence of a paragraph: a natural place to end a chunk. */
  paragraphStart: boolean;
  headings: string[];
}

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });
const HEADING_JOIN = ' > ';

/**
 * Cuts sections into chunks by tokens (the provider's BPE, libs/tokens), on sentence boundaries: a chunk never
 * splits a sentence unless the sentence alone is longer than a chunk, never crosses a heading once it is long
 * enough, and repeats the last sentences of its predecessor in the same section (the overlap).
 */
export function chunkSections(sections: readonly Section[], options: ChunkingOptions = DEFAULT_CHUNKING): Chunk[] {
  const chunks: Chunk[] = [];
  let units: Unit[] = [];
  let used = 0;
  const emit = (): void => {
    if (units.length === 0) return;
    const headings = units[0]!.headings;
    const body = units.map((u, i) => (i > 0 && u.paragraphStart ? `\n\n${u.text}` : i > 0 ? ` ${u.text}` : u.text)).join('');
    const text = headings.length > 0 ? `${headings.join(HEADING_JOIN)}\n\n${body}` : body;
    chunks.push({ ordinal: chunks.length, text, headings, tokens: countTokens(text) });
  };
  const carryOverlap = (): void => {
    const kept: Unit[] = [];
    let tokens = 0;
    for (let i = units.length - 1; i > 0; i--) {
      const unit = units[i]!;
      if (tokens + unit.tokens > options.overlapTokens) break;
      kept.unshift(unit);
      tokens += unit.tokens;
    }
    units = kept.map((u, i) => (i === 0 ? { ...u, paragraphStart: false } : u));
    used = tokens;
  };

  for (const section of sections) {
    const headingTokens = section.headings.length > 0 ? countTokens(section.headings.join(HEADING_JOIN)) + 2 : 0;
    const room = Math.max(16, options.maxTokens - headingTokens);
    if (units.length > 0 && used >= options.minTokens) {
      emit();
      units = [];
      used = 0;
    }
    let firstOfSection = true;
    for (const unit of unitsOf(section, room)) {
      const full = used + unit.tokens > room;
      const natural = unit.paragraphStart && used >= options.targetTokens;
      if (units.length > 0 && (full || natural)) {
        emit();
        carryOverlap();
        if (used + unit.tokens > room) {
          units = [];
          used = 0;
        }
      }
      // A short section merged into a chunk keeps its heading as a line of the text.
      if (firstOfSection && units.length > 0 && units[0]!.headings !== section.headings) {
        const heading = section.headings.at(-1);
        if (heading) unit.text = `${heading}: ${unit.text}`;
      }
      firstOfSection = false;
      units.push(unit);
      used += unit.tokens;
    }
  }
  emit();
  return chunks;
}

function unitsOf(section: Section, room: number): Unit[] {
  const out: Unit[] = [];
  for (const paragraph of section.paragraphs) {
    let first = true;
    for (const { segment } of sentences.segment(paragraph)) {
      const sentence = segment.trim();
      if (!sentence) continue;
      for (const piece of splitLong(sentence, room)) {
        out.push({ text: piece.text, tokens: piece.tokens, paragraphStart: first, headings: section.headings });
        first = false;
      }
    }
  }
  return out;
}

/** A sentence longer than a chunk is cut between words (the only place a chunk splits a sentence). */
function splitLong(sentence: string, room: number): Array<{ text: string; tokens: number }> {
  const tokens = countTokens(sentence);
  if (tokens <= room) return [{ text: sentence, tokens }];
  const words = sentence.split(/\s+/);
  const pieces: Array<{ text: string; tokens: number }> = [];
  let current: string[] = [];
  let currentTokens = 0;
  for (const word of words) {
    const t = countTokens(` ${word}`);
    if (current.length > 0 && currentTokens + t > room) {
      pieces.push({ text: current.join(' '), tokens: currentTokens });
      current = [];
      currentTokens = 0;
    }
    current.push(word);
    currentTokens += t;
  }
  if (current.length > 0) pieces.push({ text: current.join(' '), tokens: currentTokens });
  return pieces;
}

/** A document's chunks: its title (when given) heads every heading path, so each chunk names its document. */
export function chunkDocument(input: { content: string; format: DocumentFormat; title?: string }, options: ChunkingOptions = DEFAULT_CHUNKING): Chunk[] {
  const sections = parseSections(input.content, input.format);
  const title = input.title?.replace(/\s+/g, ' ').trim();
  return chunkSections(title ? sections.map((s) => ({ ...s, headings: [title, ...s.headings] })) : sections, options);
}
