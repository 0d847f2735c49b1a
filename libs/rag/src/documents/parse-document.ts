import { parseDocument } from 'htmlparser2';

export const DOCUMENT_FORMATS = ['text', 'markdown', 'html'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** A run of text under one heading path (outermost heading first); `headings` is empty before the first heading. */
export interface Section {
  headings: string[];
  /** Paragraphs, in order; the chunker never merges across a paragraph without a space. */
  paragraphs: string[];
}

/** Splits a document into sections by its headings: markdown `#` lines, HTML `<h1>`–`<h6>`; plain text has none. */
export function parseSections(content: string, format: DocumentFormat): Section[] {
  switch (format) {
    case 'text':
      return compact([{ headings: [], paragraphs: paragraphsOf(content) }]);
    case 'markdown':
      return compact(markdownSections(content));
    case 'html':
      return compact(htmlSections(content));
  }
}

function paragraphsOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
}

function compact(sections: Section[]): Section[] {
  return sections.filter((s) => s.paragraphs.length > 0);
}

/** Heading levels open a path: a level-2 heading replaces any earlier level-2 and drops deeper ones. */
class HeadingPath {
  private readonly levels: Array<string | undefined> = [];

  enter(level: number, title: string): string[] {
    this.levels.length = level - 1;
    this.levels[level - 1] = title;
    return this.current();
  }

  current(): string[] {
    return this.levels.filter((h): h is string => h !== undefined && h.length > 0);
  }
}

function markdownSections(content: string): Section[] {
  const sections: Section[] = [];
  const path = new HeadingPath();
  let current: Section = { headings: [], paragraphs: [] };
  let buffer: string[] = [];
  let fenced = false;
  const flushParagraphs = () => {
    current.paragraphs.push(...paragraphsOf(buffer.join('\n')));
    buffer = [];
  };
  for (const raw of content.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(raw)) fenced = !fenced;
    const heading = fenced ? null : /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      flushParagraphs();
      sections.push(current);
      current = { headings: path.enter(heading[1]!.length, stripInlineMarkdown(heading[2]!)), paragraphs: [] };
      continue;
    }
    // Block markup carries no words: list bullets, quote markers and table rules go; their text stays.
    buffer.push(fenced ? raw : stripInlineMarkdown(raw.replace(/^\s*(?:[-*+]|\d+[.)]|>)\s+/, '').replace(/^\s*\|?[\s:|-]+\|?\s*$/, '')));
  }
  flushParagraphs();
  sections.push(current);
  return sections;
}

function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1/g, '$2');
}

const BLOCK_TAGS = new Set(['p', 'div', 'li', 'ul', 'ol', 'br', 'tr', 'table', 'section', 'article', 'blockquote', 'pre', 'dd', 'dt', 'header', 'footer', 'main', 'figcaption']);
const SKIPPED_TAGS = new Set(['script', 'style', 'noscript', 'template', 'head', 'nav', 'svg']);

interface HtmlNode {
  type: string;
  name?: string;
  data?: string;
  children?: HtmlNode[];
}

function htmlSections(content: string): Section[] {
  const sections: Section[] = [];
  const path = new HeadingPath();
  let current: Section = { headings: [], paragraphs: [] };
  let text: string[] = [];
  const endBlock = () => {
    const paragraph = text.join('').replace(/\s+/g, ' ').trim();
    if (paragraph) current.paragraphs.push(paragraph);
    text = [];
  };
  const walk = (node: HtmlNode): void => {
    if (node.type === 'text') {
      text.push(node.data ?? '');
      return;
    }
    const name = node.name?.toLowerCase();
    if (name && SKIPPED_TAGS.has(name)) return;
    const level = name ? /^h([1-6])$/.exec(name)?.[1] : undefined;
    if (level) {
      endBlock();
      sections.push(current);
      const title = textOf(node).replace(/\s+/g, ' ').trim();
      current = { headings: path.enter(Number(level), title), paragraphs: [] };
      return;
    }
    const block = name !== undefined && BLOCK_TAGS.has(name);
    if (block) endBlock();
    for (const child of node.children ?? []) walk(child);
    if (block) endBlock();
  };
  walk(parseDocument(content, { decodeEntities: true }) as unknown as HtmlNode);
  endBlock();
  sections.push(current);
  return sections;
}

function textOf(node: HtmlNode): string {
  if (node.type === 'text') return node.data ?? '';
  return (node.children ?? []).map(textOf).join('');
}
