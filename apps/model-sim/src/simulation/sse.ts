import type { Response } from 'express';

/** Writes OpenAI chat.completion.chunk events of one streamed answer. */
export class ChunkWriter {
  constructor(
    private readonly res: Response,
    private readonly id: string,
    private readonly created: number,
    private readonly model: string,
  ) {}

  open(): void {
    this.res.status(200).setHeader('Content-Type', 'text/event-stream');
    this.res.setHeader('Cache-Control', 'no-cache');
    this.res.flushHeaders();
  }

  choice(delta: object, finish: string | null, extra: object = {}, index = 0): void {
    this.data({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index, delta, finish_reason: finish, ...extra }] });
  }

  usage(usage: object): void {
    this.data({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage });
  }

  data(payload: object): void {
    this.res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  done(): void {
    this.res.write('data: [DONE]\n\n');
    this.res.end();
  }
}
