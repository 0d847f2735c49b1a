import type { SimDialectId } from './dialects/sim-dialects';

/** What model-sim saw of one accepted request's envelope: never the prompt. */
export interface LoggedRequest {
  dialect: SimDialectId;
  path: string;
  model: string;
  /** vLLM's priority, as received (absent: not sent). */
  priority: number | null;
  /** Where a JSON schema came from: vLLM guided decoding, response_format, or none. */
  schema_via: 'structured_outputs' | 'guided_json' | 'response_format' | null;
  /** Request parameters present in the body (names only), after the dialect dropped what its host ignores. */
  params: string[];
}

/** The last requests model-sim accepted (GET /sim/requests), for contract tests of what clients send. */
export class SimRequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly capacity = 500) {}

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  view(): LoggedRequest[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}
