import { scanForFirstContent } from './sse';

const chunk = (content: string | undefined) => `data: ${JSON.stringify({ choices: [{ delta: content === undefined ? { role: 'assistant' } : { content } }] })}\n\n`;

describe('scanForFirstContent', () => {
  it('does not count a role-only or empty first chunk as the first token', () => {
    expect(scanForFirstContent(chunk(undefined) + chunk(''))).toEqual({ kind: 'pending' });
  });

  it('finds the first chunk whose delta carries content', () => {
    expect(scanForFirstContent(chunk(undefined) + chunk('Hel'))).toEqual({ kind: 'content' });
  });

  it('waits for a line cut in two by a chunk boundary', () => {
    const full = chunk('Hello');
    expect(scanForFirstContent(full.slice(0, 20))).toEqual({ kind: 'pending' });
    expect(scanForFirstContent(full)).toEqual({ kind: 'content' });
  });

  it('reports an error event or error chunk', () => {
    expect(scanForFirstContent('event: error\ndata: {"error":{"message":"x"}}\n\n').kind).toBe('error');
    expect(scanForFirstContent('data: {"error":{"code":"timeout"}}\n\n').kind).toBe('error');
  });
});
