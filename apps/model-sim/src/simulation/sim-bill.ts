export interface BilledCall {
  /** The caller's x-llm-call-id header (`<tenant>/<request_id>/<call_id>` from the inference worker), if sent. */
  call_id: string | null;
  model: string;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  /** aborted: the stream ended early (client left or an injected cut); billed for what was written. */
  outcome: 'completed' | 'aborted';
  /** When the call arrived (epoch ms): tells which calls a crashed client had already made. */
  started_at: number;
}

/**
 * What the simulated provider charges, call by call: the truth the platform's ledger is checked against.
 * Like vLLM, a non-streamed answer is billed only when it was written, a stream for what was written before
 * it ended; refused calls and broken responses are not billed.
 */
export class SimBill {
  private calls: BilledCall[] = [];

  record(call: BilledCall): void {
    this.calls.push(call);
  }

  reset(): void {
    this.calls = [];
  }

  view() {
    const totals = { calls: this.calls.length, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0 };
    for (const c of this.calls) {
      totals.prompt_tokens += c.prompt_tokens;
      totals.cached_tokens += c.cached_tokens;
      totals.completion_tokens += c.completion_tokens;
    }
    return { calls: [...this.calls], totals };
  }
}
