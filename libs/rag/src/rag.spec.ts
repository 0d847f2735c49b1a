import {
  analyze,
  assembleContext,
  documentSparseVector,
  embeddingWindows,
  querySparseVector,
  termId,
  Bm25Index,
  chunkSections,
  citedNumbers,
  groundingMessage,
  hybridSearch,
  parseSections,
  reciprocalRankFusion,
  shouldDecline,
  trimToTokens,
  withGrounding,
} from './index';
import { countTokens } from '@llm/tokens';

const sentence = (i: number) => `Sentence number ${i} talks about the river Lune and the town of Wexcombe in some detail.`;
const paragraph = (from: number, n: number) => Array.from({ length: n }, (_, i) => sentence(from + i)).join(' ');

describe('parseSections', () => {
  it('splits markdown by headings and keeps the heading path', () => {
    const sections = parseSections('# Guide\nIntro text.\n\n## Install\nRun **make**.\n\n## Use\n- a [link](http://x) item\n', 'markdown');
    expect(sections).toEqual([
      { headings: ['Guide'], paragraphs: ['Intro text.'] },
      { headings: ['Guide', 'Install'], paragraphs: ['Run make.'] },
      { headings: ['Guide', 'Use'], paragraphs: ['a link item'] },
    ]);
  });

  it('reads HTML text by headings and drops scripts and styles', () => {
    const sections = parseSections(
      '<html><head><title>t</title><style>p{}</style></head><body><h1>Top</h1><p>One &amp; two.</p><script>x()</script><h2>Sub</h2><ul><li>a</li><li>b</li></ul></body></html>',
      'html',
    );
    expect(sections).toEqual([
      { headings: ['Top'], paragraphs: ['One & two.'] },
      { headings: ['Top', 'Sub'], paragraphs: ['a', 'b'] },
    ]);
  });

  it('treats plain text as paragraphs without headings', () => {
    expect(parseSections('a b\nc\n\n\nd', 'text')).toEqual([{ headings: [], paragraphs: ['a b c', 'd'] }]);
  });
});

describe('chunkSections', () => {
  it('makes chunks within the token bounds, on sentence boundaries, with overlap', () => {
    const chunks = chunkSections([{ headings: ['Rivers'], paragraphs: [paragraph(0, 40), paragraph(40, 40), paragraph(80, 40)] }]);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.tokens).toBeLessThanOrEqual(500);
      expect(chunk.tokens).toBeGreaterThanOrEqual(300);
      expect(chunk.text.startsWith('Rivers\n\n')).toBe(true);
      expect(chunk.text.trimEnd().endsWith('detail.')).toBe(true);
    }
    // The overlap: the last sentence of one chunk opens the next.
    const lastOfFirst = /Sentence number (\d+)[^.]*\.$/.exec(chunks[0]!.text)![1];
    expect(chunks[1]!.text).toContain(`Sentence number ${lastOfFirst} `);
  });

  it('ends a long enough chunk at a heading and merges short sections', () => {
    const chunks = chunkSections([
      { headings: ['A'], paragraphs: [paragraph(0, 17)] },
      { headings: ['B'], paragraphs: ['Short B.'] },
      { headings: ['C'], paragraphs: ['Short C.'] },
    ]);
    expect(chunks.map((c) => c.headings)).toEqual([['A'], ['B']]);
    expect(chunks[1]!.text).toBe('B\n\nShort B.\n\nC: Short C.');
  });

  it('cuts a sentence longer than a chunk between words', () => {
    const chunks = chunkSections([{ headings: [], paragraphs: [Array.from({ length: 1200 }, (_, i) => `w${i}`).join(' ')] }]);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(500);
  });
});

describe('Bm25Index', () => {
  it('ranks the document sharing rare terms first, replaces and removes entries, and filters', () => {
    const index = new Bm25Index<{ lang: string }>();
    index.add('a', 'The Normans conquered England in 1066.', { lang: 'en' });
    index.add('b', 'The weather in England is rainy.', { lang: 'en' });
    index.add('c', 'Norman architecture has round arches.', { lang: 'fr' });
    expect(index.search('When did the Normans conquer?', 3).map((h) => h.id)).toEqual(['a', 'c']);
    expect(index.search('Normans in England', 3).map((h) => h.id)[0]).toBe('a');
    expect(index.search('norman', 3, (p) => p.lang === 'fr').map((h) => h.id)).toEqual(['c']);
    index.add('a', 'Something else entirely.', { lang: 'en' });
    expect(index.search('conquered', 3)).toEqual([]);
    expect(index.removeWhere((p) => p.lang === 'en')).toBe(2);
    expect(index.size).toBe(1);
  });

  it('analyzes with stopwords removed and light stemming', () => {
    expect(analyze('The Normans were ruling cities')).toEqual(['norman', 'rul', 'city']);
  });
});

describe('reciprocalRankFusion and hybridSearch', () => {
  it('rewards ids that both lists rank well', () => {
    const fused = reciprocalRankFusion([
      ['x', 'y', 'z'],
      ['y', 'w', 'x'],
    ]);
    expect(fused.map((h) => h.id)).toEqual(['y', 'x', 'w', 'z']);
    expect(fused[0]!.ranks).toEqual([2, 1]);
  });

  it('runs both retrievers and keeps their scores on the fused hits', async () => {
    const hits = await hybridSearch(
      {
        dense: async () => [
          { id: 'x', score: 0.9 },
          { id: 'y', score: 0.5 },
        ],
        lexical: async () => [{ id: 'y', score: 7 }],
      },
      { topK: 2 },
    );
    expect(hits.map((h) => [h.id, h.dense, h.lexical])).toEqual([
      ['y', 0.5, 7],
      ['x', 0.9, undefined],
    ]);
    expect(shouldDecline(hits, 0.95)).toBe(true);
    expect(shouldDecline(hits, 0.5)).toBe(false);
    expect(shouldDecline([], 0)).toBe(true);
  });
});

describe('assembleContext', () => {
  const candidate = (id: string, text: string, score: number) => ({ chunkId: id, documentId: `doc-${id}`, collection: 'c', text, score });

  it('drops near-duplicates, trims to whole sentences and stays within the budget', () => {
    const long = paragraph(0, 60);
    const entries = assembleContext([candidate('1', long, 3), candidate('2', long.replace('number 5', 'number five'), 2), candidate('3', paragraph(100, 3), 1)], {
      maxTokens: 300,
      maxChunkTokens: 200,
      minChunkTokens: 20,
    });
    expect(entries.map((e) => [e.chunkId, e.citation, e.trimmed])).toEqual([
      ['1', 1, true],
      ['3', 2, false],
    ]);
    expect(entries[0]!.tokens).toBeLessThanOrEqual(200);
    expect(entries[0]!.text.endsWith('detail.')).toBe(true);
    expect(entries.reduce((s, e) => s + e.tokens, 0)).toBeLessThanOrEqual(300);
  });

  it('trims a single overlong sentence between words', () => {
    const out = trimToTokens(Array.from({ length: 300 }, (_, i) => `w${i}`).join(' '), 50);
    expect(out.trimmed).toBe(true);
    expect(out.tokens).toBeLessThanOrEqual(50);
    expect(countTokens(out.text)).toBe(out.tokens);
  });
});

describe('grounded prompt', () => {
  it('puts numbered sources after the caller system messages and reads citations back', () => {
    const grounding = groundingMessage([
      { citation: 1, text: 'Alpha.', title: 'A' },
      { citation: 2, text: 'Beta.' },
    ]);
    expect(grounding.content).toContain('[1] A: Alpha.');
    expect(grounding.content).toContain('[2] Beta.');
    const messages = withGrounding(
      [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'q' },
      ],
      grounding,
    );
    expect(messages.map((m) => m.role)).toEqual(['system', 'system', 'user']);
    expect(messages[1]).toBe(grounding);
    expect([...citedNumbers('Yes [2], and [1, 2][9] but not [x].', 2)].sort()).toEqual([1, 2]);
    expect(groundingMessage([]).content).toContain('cannot answer');
  });
});

describe('embeddingWindows', () => {
  it('keeps a short chunk whole and cuts a long one into sentence windows that repeat its heading', () => {
    expect(embeddingWindows('Title\n\nShort text.')).toEqual(['Title\n\nShort text.']);
    const windows = embeddingWindows(`Rivers > Lune\n\n${paragraph(0, 25)}`);
    expect(windows.length).toBeGreaterThan(2);
    for (const w of windows) {
      expect(w.startsWith('Rivers > Lune\n\nSentence number')).toBe(true);
      expect(countTokens(w)).toBeLessThanOrEqual(180);
      expect(w.endsWith('detail.')).toBe(true);
    }
    expect(windows.join(' ').match(/Sentence number/g)).toHaveLength(25);
  });
});

describe('sparse BM25 vectors (Qdrant)', () => {
  it('weighs terms by saturated, length-normalised frequency and queries each term once', () => {
    const doc = documentSparseVector('Normans Normans Normans conquered England');
    const weight = (term: string) => doc.values[doc.indices.indexOf(termId(term))]!;
    expect(doc.indices).toHaveLength(3);
    expect(weight('norman')).toBeGreaterThan(weight('england'));
    expect(weight('norman')).toBeLessThan(3 * weight('england'));
    expect(querySparseVector('the Normans and the normans')).toEqual({ indices: [termId('norman')], values: [1] });
    expect(termId('norman')).toBe(termId('norman'));
    expect(termId('norman')).not.toBe(termId('normandy'));
  });
});
