import type { StreamEvent } from '@llm/contracts';
import { llmResult } from '@llm/testing';
import { SseWriter, type SseSink } from './sse.writer';

/** Records what a client receives and parses it as an SSE client would. */
class RecordingSink implements SseSink {
  statusCode?: number;
  headers: Record<string, string> = {};
  body = '';
  ended = false;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string) {
    this.headers[name] = value;
    return this;
  }
  flushHeaders() {}
  write(chunk: string) {
    this.body += chunk;
    return true;
  }
  end() {
    this.ended = true;
    return this;
  }

  frames(): Array<{ id?: string; event?: string; data: string }> {
    return this.body
      .split('\n\n')
      .filter(Boolean)
      .map((block) => {
        const frame: { id?: string; event?: string; data: string } = { data: '' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') frame.id = value;
          else if (field === 'event') frame.event = value;
          else if (field === 'data') frame.data = value;
        }
        return frame;
      });
  }

  /** What an OpenAI-style client shows: the deltas' content, starting over after a reset. */
  shownText(): string {
    let text = '';
    for (const frame of this.frames()) {
      if (frame.event === 'reset') text = '';
      else if (frame.data !== '[DONE]') text += (JSON.parse(frame.data) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? '';
    }
    return text;
  }
}

const delta = (content: string, callId: string): StreamEvent => ({ type: 'delta', index: 0, content, call_id: callId });
const terminal = (content: string): StreamEvent => ({ type: 'terminal', result: llmResult({ request_id: '6b0f7c1e-2a57-4c38-9d0c-3f7f2c1b9a10' }, content) });

describe('SseWriter', () => {
  it('tells the client about a restarted call, and what it shows in the end is the stored answer', () => {
    const sink = new RecordingSink();
    const sse = new SseWriter(sink, 'req-1', 'auto', false);
    sse.write('1-0', delta('partial ', 'call-a'));
    sse.write('2-0', delta('answer', 'call-a'));
    sse.write('3-0', { type: 'reset', call_id: 'call-a', reason: 'provider failed; falling back' });
    sse.write('4-0', delta('full ', 'call-b'));
    sse.write('5-0', delta('answer B', 'call-b'));
    sse.write('6-0', terminal('full answer B'));

    const reset = sink.frames().find((f) => f.event === 'reset');
    expect(reset).toMatchObject({ id: '3-0' });
    expect(JSON.parse(reset!.data)).toMatchObject({ call_id: 'call-a' });
    expect(sink.shownText()).toBe('full answer B');
    expect(sink.ended).toBe(true);
  });

  it('sends the whole answer after a reset when the next call was not streamed', () => {
    const sink = new RecordingSink();
    const sse = new SseWriter(sink, 'req-1', 'auto', false);
    sse.write('1-0', delta('partial', 'call-a'));
    sse.write('2-0', { type: 'reset', call_id: 'call-a', reason: 'fallback' });
    sse.write('3-0', terminal('from the cache'));
    expect(sink.shownText()).toBe('from the cache');
  });

  it('does not repeat the answer to a client resuming after the deltas (Last-Event-ID)', () => {
    const sink = new RecordingSink();
    const sse = new SseWriter(sink, 'req-1', 'auto', false, true);
    sse.write('9-0', terminal('hello world'));
    expect(sink.shownText()).toBe('');
    expect(sink.frames().at(-1)?.data).toBe('[DONE]');
  });

  it('sends a cache hit (no deltas) as one chunk', () => {
    const sink = new RecordingSink();
    new SseWriter(sink, 'req-1', 'auto', false).write('1-0', terminal('cached'));
    expect(sink.shownText()).toBe('cached');
  });

  it('puts the citations of a RAG answer on the finishing chunk', () => {
    const sink = new RecordingSink();
    const event = terminal('The Lune [1]') as Extract<StreamEvent, { type: 'terminal' }>;
    const citations = [{ index: 1, document_id: 'guide', chunk_id: 'guide@1#0', score: 0.5, cited: true }];
    event.result.response = { ...event.result.response!, citations };
    new SseWriter(sink, 'req-1', 'auto', false).write('1-0', event);
    const chunks = sink
      .frames()
      .filter((f) => f.data !== '[DONE]')
      .map((f) => JSON.parse(f.data) as { citations?: unknown; choices: Array<{ finish_reason: string | null }> });
    expect(chunks.map((c) => [c.choices[0]!.finish_reason, c.citations])).toEqual([
      [null, undefined],
      ['stop', citations],
    ]);
  });

  it('reports a failure in the shared error shape', () => {
    const sink = new RecordingSink();
    const failed: StreamEvent = {
      type: 'terminal',
      result: llmResult({ status: 'failed', response: undefined, error: { code: 'ALL_TARGETS_FAILED', message: 'every target failed', retryable: true } }),
    };
    new SseWriter(sink, 'req-1', 'auto', false).write('1-0', failed);
    expect(JSON.parse(sink.frames()[0]!.data)).toMatchObject({ error: { code: 'server_error', platform_code: 'ALL_TARGETS_FAILED', retryable: true, request_id: 'req-1' } });
  });
});
