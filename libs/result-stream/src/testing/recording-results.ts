import type { LlmResultV1, StreamDelta, StreamReset } from '@llm/contracts';
import type { ResultPublisher } from '../result.publisher';

export type StreamWrite = ({ type: 'delta' } & Omit<StreamDelta, 'type'>) | ({ type: 'reset' } & Omit<StreamReset, 'type'>);

/** In-memory ResultPublisher for unit tests: records finished results and stream writes; can fail one publish. */
export class RecordingResults implements Pick<ResultPublisher, 'publish' | 'appendDelta' | 'appendReset' | 'appendTerminal'> {
  readonly finished: LlmResultV1[] = [];
  readonly stream: StreamWrite[] = [];
  readonly terminals: LlmResultV1[] = [];
  failNextPublish?: Error;

  async publish(result: LlmResultV1, before?: Promise<void>): Promise<boolean> {
    await before;
    if (this.failNextPublish) {
      const err = this.failNextPublish;
      this.failNextPublish = undefined;
      throw err;
    }
    this.finished.push(result);
    return true;
  }

  /** The Redis half alone (no llm.results.v1): recorded in `terminals`, not `finished`. */
  async appendTerminal(result: LlmResultV1): Promise<string | undefined> {
    if (this.terminals.some((r) => r.tenant_id === result.tenant_id && r.request_id === result.request_id)) return undefined;
    this.terminals.push(result);
    return `0-${this.terminals.length}`;
  }

  async appendDelta(_tenantId: string, _requestId: string, delta: Omit<StreamDelta, 'type'>): Promise<string> {
    this.stream.push({ type: 'delta', ...delta });
    return `0-${this.stream.length}`;
  }

  async appendReset(_tenantId: string, _requestId: string, reset: Omit<StreamReset, 'type'>): Promise<string> {
    this.stream.push({ type: 'reset', ...reset });
    return `0-${this.stream.length}`;
  }
}
