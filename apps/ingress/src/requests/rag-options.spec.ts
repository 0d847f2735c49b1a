import { ragOptionsOf } from './rag-options';

describe('ragOptionsOf', () => {
  it('reads RAG options from OpenAI metadata strings or a rag object, and nothing otherwise', () => {
    expect(ragOptionsOf({ metadata: { rag_collection: 'docs', rag_top_k: '3' } })).toEqual({ collection: 'docs', top_k: 3 });
    expect(ragOptionsOf({ metadata: { rag_collection: 'docs' } })).toEqual({ collection: 'docs' });
    expect(ragOptionsOf({ rag: { collection: 'x', top_k: 2 } })).toEqual({ collection: 'x', top_k: 2 });
    expect(ragOptionsOf({ metadata: { other: 'v' } })).toBeUndefined();
    expect(ragOptionsOf({ metadata: { rag_collection: 'docs', rag_top_k: 'many' } })).toEqual({ collection: 'docs', top_k: 'many' });
    expect(ragOptionsOf(null)).toBeUndefined();
  });
});
