import type { LlmResultV1, StreamEvent } from '@llm/contracts';
import type { Response } from 'express';

/**
 * Writes a request's stream as OpenAI `chat.completion.chunk` server-sent events. Each event carries the
 * Redis stream entry id, so a client that lost the connection resumes with Last-Event-ID.
 */
export class SseWriter {
  private roleSent = false;

  constructor(
    private readonly res: Response,
    private readonly requestId: string,
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.setHeader('x-request-id', this.requestId);
    this.res.flushHeaders();
  }

  write(id: string, event: StreamEvent): void {
    if (event.type === 'delta') {
      this.chunk(id, { content: event.content }, null, event.model);
      return;
    }
    this.finish(id, event.result);
  }

  private finish(id: string, result: LlmResultV1): void {
    if (result.status === 'succeeded' && result.response) {
      const choice = result.response.choices[0];
      // A cache hit or a non-streamed answer has no deltas: send its content as one chunk.
      if (!this.roleSent && choice?.message.content) this.chunk(id, { content: choice.message.content }, null, result.model);
      this.chunk(id, {}, choice?.finish_reason ?? 'stop', result.model);
      if (this.includeUsage) this.send(id, { ...this.frame(result.model), choices: [], usage: result.usage });
    } else {
      const error = result.error ?? { code: 'INTERNAL', message: 'request failed', retryable: false };
      this.send(id, { error: { code: error.code, message: error.message, retryable: error.retryable, request_id: this.requestId } });
    }
    this.res.write('data: [DONE]\n\n');
    this.res.end();
  }

  timeout(): void {
    this.send(undefined, { error: { code: 'REQUEST_TIMEOUT', message: 'no answer in time; poll GET /v1/requests/{id}', retryable: true, request_id: this.requestId } });
    this.res.end();
  }

  private chunk(id: string, delta: { content?: string }, finish: string | null, model?: string): void {
    const first = !this.roleSent;
    this.roleSent = true;
    this.send(id, { ...this.frame(model), choices: [{ index: 0, delta: first ? { role: 'assistant', ...delta } : delta, finish_reason: finish }] });
  }

  private frame(model?: string) {
    return { id: `chatcmpl-${this.requestId}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: model ?? this.model };
  }

  private send(id: string | undefined, payload: unknown): void {
    this.res.write(`${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(payload)}\n\n`);
  }
}
