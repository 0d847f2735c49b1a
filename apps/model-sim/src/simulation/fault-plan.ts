/**
 * Injected provider faults. Status faults answer before any work; `timeout` never sends headers; `stall`
 * streams two tokens then goes silent (non-stream: like timeout); `headers-stall` sends 200 and headers, then
 * nothing; `stream-no-usage` omits the usage chunk; `stream-cut` ends the stream after two tokens without
 * finish_reason or [DONE]; `stream-error` sends an error event inside the stream; `invalid-response` answers
 * 200 with a body that is not a chat completion; `invalid-json` answers a JSON-mode request with plain text.
 */
const FAULTS = [
  'none',
  '429',
  '429-no-retry-after',
  '500',
  '401',
  '403',
  '404',
  'timeout',
  'stall',
  'headers-stall',
  'stream-no-usage',
  'stream-cut',
  'stream-error',
  'invalid-response',
  'invalid-json',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Probability of each fault per request (the rest are answered normally). */
export type FaultRates = Partial<Record<Exclude<Fault, 'none'>, number>>;

/** A forced fault (x-sim-fault header) wins; otherwise one draw against the configured rates. */
export function chooseFault(forced: string | undefined, rates: FaultRates, draw: number): Fault {
  if (forced !== undefined && (FAULTS as readonly string[]).includes(forced)) return forced as Fault;
  let edge = 0;
  for (const fault of FAULTS) {
    if (fault === 'none') continue;
    edge += rates[fault] ?? 0;
    if (draw < edge) return fault;
  }
  return 'none';
}
