import { describeErrorCode, type LlmResultV1, type StreamEvent } from '@llm/contracts';
import { errorBody } from '@llm/service-runtime';

/** The part of the HTTP response the writer uses; an express Response is one, tests record it. */
export interface SseSink {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  flushHeaders(): void;
  write(chunk: string): unknown;
  end(): unknown;
}

/**
 * Writes a request's stream as OpenAI `chat.completion.chunk` server-sent events. Each event carries the
 * Redis stream entry id, so a client that lost the connection resumes with Last-Event-ID.
 *
 * When a provider call failed after its deltas went out and another call starts over, the client gets an
 * `event: reset` frame naming the void call; what follows is the new call's answer, which is what is stored.
 */
export class SseWriter {
  private roleSent = false;
  private isOpen = false;
  /** Deltas of the current call were written by this writer or, on a resume, before it. */
  private contentStreamed: boolean;

  constructor(
    private readonly res: SseSink,
    private readonly requestId: string,
    private readonly model: string,
    private readonly includeUsage: boolean,
    /** Resuming after Last-Event-ID: the client already has the deltas before it. */
    resumed = false,
  ) {
    this.contentStreamed = resumed;
    this.roleSent = resumed;
  }

  get opened(): boolean {
    return this.isOpen;
  }

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.setHeader('x-request-id', this.requestId);
    this.res.flushHeaders();
  }

  write(id: string, event: StreamEvent): void {
    this.open();
    switch (event.type) {
      case 'delta':
        this.contentStreamed = true;
        this.chunk(id, { content: event.content }, null, event.model);
        return;
      case 'reset':
        // The client discards what it showed of the void call; the next call's deltas (or answer) follow.
        this.contentStreamed = false;
        this.res.write(`id: ${id}\nevent: reset\ndata: ${JSON.stringify({ call_id: event.call_id, reason: event.reason, request_id: this.requestId })}\n\n`);
        return;
      case 'terminal':
        this.finish(id, event.result);
        return;
    }
  }

  private finish(id: string, result: LlmResultV1): void {
    if (result.status === 'succeeded' && result.response) {
      const choice = result.response.choices[0];
      // A cache hit or a non-streamed answer has no deltas: send its content as one chunk, and only then.
      if (!this.contentStreamed && choice?.message.content) this.chunk(id, { content: choice.message.content }, null, result.model);
      // A RAG answer's sources ride on the finishing chunk, where the whole answer is known.
      const citations = result.response.citations;
      this.chunk(id, {}, choice?.finish_reason ?? 'stop', result.model, citations ? { citations } : {});
      if (this.includeUsage) this.send(id, { ...this.frame(result.model), choices: [], usage: result.usage });
    } else {
      const error = result.error ?? { code: 'INTERNAL', message: 'request failed', retryable: false };
      this.send(id, errorBody(describeErrorCode(error.code).code, error.message, error.retryable, this.requestId));
    }
    this.res.write('data: [DONE]\n\n');
    this.res.end();
  }

  /** The wait ended without an answer (the request goes on, or it passed its deadline). */
  timeout(expired: boolean): void {
    this.open();
    const body = expired
      ? errorBody('EXPIRED', 'the request passed its deadline without an answer', false, this.requestId)
      : errorBody('REQUEST_TIMEOUT', `no answer in time; poll GET /v1/requests/${this.requestId}`, true, this.requestId);
    this.send(undefined, body);
    this.res.end();
  }

  private chunk(id: string, delta: { content?: string }, finish: string | null, model?: string, extra: Record<string, unknown> = {}): void {
    const first = !this.roleSent;
    this.roleSent = true;
    this.send(id, { ...this.frame(model), choices: [{ index: 0, delta: first ? { role: 'assistant', ...delta } : delta, finish_reason: finish }], ...extra });
  }

  private frame(model?: string) {
    return { id: `chatcmpl-${this.requestId}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: model ?? this.model };
  }

  private send(id: string | undefined, payload: unknown): void {
    this.res.write(`${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(payload)}\n\n`);
  }
}
